export * from './application.entity';
export * from './application.representation';
export * from './archive-type';
export * from './applications.options';
export * from './applications.service';
export * from './application-archives.service';
export * from './applications.module';
export * from './migrations';
