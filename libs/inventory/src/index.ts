export * from './managed-object.entity';
export * from './managed-object.representation';
export * from './managed-object-access';
export * from './parse-managed-object-id';
export * from './inventory.service';
export * from './inventory.module';
export * from './migrations';
export * from './managed-object-owners';
