import { CumulocityError, hasAnyRole, Role, type Principal } from '@depot/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  INVENTORY_BINARIES_OPTIONS,
  type InventoryBinariesModuleOptions,
} from './inventory-binaries.options';

/** How long a reservation counts without being renewed (a killed upload's is gone after this). */
const RESERVATION_TTL_SECONDS = 300;
/** A flowing upload renews its lease this often. */
const RENEW_AFTER_MS = 60_000;
/** A commit takes its lease without the tenant lock only while the lease has this long to run. */
const SETTLE_MARGIN_SECONDS = 30;
/** Smallest extension; each one asks for at least twice what is needed, so a big upload takes few steps. */
const MIN_STEP = 1024 * 1024;
/**
 * How long a tenant found without a quota is taken as unlimited before asking again. The commit
 * checks again in its INSERT (see `BinariesService.commitNew`), so a quota set meanwhile by another
 * process still holds for every upload; only the reading of the content is unmetered for this long.
 * `setQuota` in this process forgets the tenant at once.
 */
const UNLIMITED_TTL_MS = 10_000;
/** Tenants remembered as unlimited at most (the map is cleared past this). */
const MAX_UNLIMITED_REMEMBERED = 10_000;

/** A tenant's storage: committed bytes, bytes granted to uploads in flight, and its quota. */
export interface TenantStorageUsage {
  tenantId: string;
  usedBytes: number;
  reservedBytes: number;
  /** `null`: unlimited. */
  quotaBytes: number | null;
  /** Whether the quota is the tenant's own or the server's default (`TENANT_STORAGE_QUOTA`). */
  quotaSource: 'tenant' | 'default';
}

/**
 * The bytes one upload may write under its tenant's quota, granted in steps while the content
 * streams (`admit` is the meter's hook) and turned into usage by the commit (`settle`).
 * `credit` is the length of the content a replace swaps out: only the growth needs room.
 */
export class StorageReservation {
  readonly id = randomUUID();
  /** Settles once the first room is granted or the tenant is found unlimited; 507 when none is left. */
  readonly ready: Promise<void>;
  private state: 'pending' | 'unlimited' | 'limited' = 'pending';
  private granted = 0;
  private renewAt = 0;

  constructor(
    private readonly quotas: TenantStorageService,
    readonly tenantId: string,
    readonly credit: number,
    declared: number,
  ) {
    this.ready = quotas.open(this, Math.max(0, declared - credit)).then((limited) => {
      this.state = limited ? 'limited' : 'unlimited';
    });
    // The caller awaits `ready`; a chunk waiting in `admit` gets the rejection through the stream.
    this.ready.catch(() => undefined);
  }

  /** Whether the tenant has a quota (known once `ready` resolved). */
  get limited(): boolean {
    return this.state === 'limited';
  }

  /**
   * @internal The commit found a quota that was not there when the upload started: from now on the
   * reservation is counted (with no lease, so `settle` checks the growth under the tenant's lock).
   */
  markLimited(): void {
    this.state = 'limited';
  }

  /** Resolves at once (`undefined`) while `total` bytes are covered; otherwise asks for more room. */
  readonly admit = (total: number): Promise<void> | undefined => {
    if (this.state === 'unlimited') return undefined;
    if (this.state === 'pending') return this.ready.then(() => this.admit(total));
    const needed = Math.max(0, total - this.credit);
    if (needed <= this.granted && Date.now() < this.renewAt) return undefined;
    return this.extend(needed);
  };

  /** @internal */
  async extend(needed: number): Promise<void> {
    this.granted = await this.quotas.grant(this, needed, Math.max(needed + MIN_STEP, 2 * needed));
    this.renewAt = Date.now() + RENEW_AFTER_MS;
  }
}

interface TenantRow {
  used_bytes: string;
  quota_bytes: string | null;
}

/**
 * Per-tenant storage quotas (see the `tenant_storage` migration). Usage is the sum of the tenant's
 * binaries' lengths, kept by a trigger; uploads reserve room under the tenant row's lock before and
 * while they stream, so concurrent uploads, in any number of processes, cannot together pass the
 * quota; the commit takes its lease, or re-checks under the lock when the lease lapsed. An unlimited
 * tenant pays one query per upload.
 */
@Injectable()
export class TenantStorageService {
  private readonly logger = new Logger(TenantStorageService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(INVENTORY_BINARIES_OPTIONS) private readonly options: InventoryBinariesModuleOptions,
  ) {}

  /** Tenants found without a quota, with when that answer is to be checked again (ms). */
  private readonly unlimitedUntil = new Map<string, number>();

  /**
   * Starts reserving room for an upload: `declared` bytes (a Content-Length) or a first step, before
   * a byte passes the meter. `ready` rejects with 507 `storage/Quota Exceeded` when that does not fit.
   * Synchronous, so the caller can attach the stream at once (its end or error must not go unheard).
   */
  reserve(tenantId: string, options: { declared?: number; credit?: number } = {}): StorageReservation {
    assertTenant(tenantId);
    return new StorageReservation(this, tenantId, options.credit ?? 0, options.declared ?? 0);
  }

  /** @internal The first step of `reservation`; false when the tenant is unlimited (nothing to count). */
  async open(reservation: StorageReservation, needed: number): Promise<boolean> {
    // With a default quota every tenant has one; without, most have none: asked once in a while.
    if ((this.options.tenantStorageQuota ?? null) === null && (await this.isUnlimited(reservation.tenantId)))
      return false;
    await reservation.extend(needed);
    return true;
  }

  /**
   * The commit of `reservation`, taken as unlimited, found that its tenant has a quota now (set by
   * another process): counts it from here on and asks for the tenant's quota again next time.
   */
  quotaAppeared(reservation: StorageReservation | undefined): void {
    if (!reservation) return;
    this.unlimitedUntil.delete(reservation.tenantId);
    reservation.markLimited();
  }

  private async isUnlimited(tenantId: string): Promise<boolean> {
    const until = this.unlimitedUntil.get(tenantId);
    if (until !== undefined && Date.now() < until) return true;
    if ((await this.quotaOf(tenantId)) !== null) {
      this.unlimitedUntil.delete(tenantId);
      return false;
    }
    if (this.unlimitedUntil.size >= MAX_UNLIMITED_REMEMBERED) this.unlimitedUntil.clear();
    this.unlimitedUntil.set(tenantId, Date.now() + UNLIMITED_TTL_MS);
    return true;
  }

  /** The tenant's quota in bytes, `null` for unlimited. */
  private async quotaOf(tenantId: string): Promise<number | null> {
    const rows = await this.dataSource.query<Array<{ quota_bytes: string | null }>>(
      'SELECT quota_bytes FROM tenant_storage WHERE tenant_id = $1',
      [tenantId],
    );
    return this.effectiveQuota(rows[0]?.quota_bytes ?? null);
  }

  /**
   * Grants `reservation` between `needed` and `desired` bytes, renewing its lease.
   * @internal (see `StorageReservation`)
   */
  async grant(reservation: StorageReservation, needed: number, desired: number): Promise<number> {
    const [row] = await this.dataSource.query<Array<{ granted: string | null }>>(
      'SELECT depot_grant_storage($1, $2, $3, $4, $5, $6) AS granted',
      [
        reservation.tenantId,
        reservation.id,
        needed,
        desired,
        this.options.tenantStorageQuota ?? null,
        RESERVATION_TTL_SECONDS,
      ],
    );
    // A quota removed meanwhile: nothing to count any more.
    if (row.granted === null) return Number.MAX_SAFE_INTEGER;
    const granted = Number(row.granted);
    if (granted < 0) throw quotaExceeded((await this.quotaOf(reservation.tenantId)) ?? 0);
    return granted;
  }

  /**
   * Inside the commit's transaction: turns the reservation into usage (the trigger adds the row's
   * length). A live lease that covers `growth` is room held for it; without one (the upload stalled
   * until its lease lapsed) the growth must still fit, checked under the tenant row's lock.
   */
  async settle(
    manager: EntityManager,
    reservation: StorageReservation | undefined,
    growth: number,
  ): Promise<void> {
    if (!reservation?.limited) return;
    // Taking a live lease needs no tenant lock: used + reserved does not grow.
    // (A SELECT around the DELETE: TypeORM answers a bare DELETE with [rows, count].)
    const [{ taken }] = await manager.query<Array<{ taken: number }>>(
      `WITH taken AS (
         DELETE FROM storage_reservations
         WHERE id = $1 AND bytes >= $2 AND expires_at > now() + make_interval(secs => $3)
         RETURNING id
       )
       SELECT count(*)::int AS taken FROM taken`,
      [reservation.id, growth, SETTLE_MARGIN_SECONDS],
    );
    if (taken > 0) return;
    const { used, quota } = await this.lockTenant(manager, reservation.tenantId);
    const others = await this.reservedByOthers(manager, reservation);
    if (growth > 0 && quota !== null && used + growth + others > quota) throw quotaExceeded(quota);
  }

  /** Gives back what an upload that will not be committed reserved (its lease ends anyway). */
  async release(reservation: StorageReservation | undefined): Promise<void> {
    if (!reservation?.limited) return;
    try {
      await this.dataSource.query('DELETE FROM storage_reservations WHERE id = $1', [reservation.id]);
    } catch (error) {
      this.logger.warn(`Could not release reservation ${reservation.id}; it expires: ${String(error)}`);
    }
  }

  /** A tenant's usage: its own for a caller that may read it, any for the management tenant's admin. */
  async usage(principal: Principal, tenantId: string): Promise<TenantStorageUsage> {
    if (tenantId !== principal.tenantId && !this.canManageTenants(principal))
      throw CumulocityError.notFound('tenants', `Tenant ${tenantId} not found`);
    assertTenant(tenantId);
    const [row] = await this.dataSource.query<Array<TenantRow & { reserved: string }>>(
      `SELECT s.used_bytes, s.quota_bytes,
              (SELECT COALESCE(SUM(r.bytes), 0) FROM storage_reservations r
               WHERE r.tenant_id = $1 AND r.expires_at > now()) AS reserved
       FROM (SELECT $1::varchar AS tenant_id) t LEFT JOIN tenant_storage s ON s.tenant_id = t.tenant_id`,
      [tenantId],
    );
    const override = row.quota_bytes;
    return {
      tenantId,
      usedBytes: Number(row.used_bytes ?? 0),
      reservedBytes: Number(row.reserved),
      quotaBytes: this.effectiveQuota(override),
      quotaSource: override === null ? 'default' : 'tenant',
    };
  }

  /** Sets (a number of bytes) or removes (`null`: the default applies) a tenant's own quota. */
  async setQuota(principal: Principal, tenantId: string, quotaBytes: number | null): Promise<void> {
    if (!this.canManageTenants(principal))
      throw CumulocityError.forbidden('Only the management tenant can set storage quotas');
    assertTenant(tenantId);
    await this.dataSource.query(
      `INSERT INTO tenant_storage (tenant_id, quota_bytes) VALUES ($1, $2)
       ON CONFLICT (tenant_id) DO UPDATE SET quota_bytes = EXCLUDED.quota_bytes`,
      [tenantId, quotaBytes],
    );
    this.unlimitedUntil.delete(tenantId);
    this.logger.log(
      `Storage quota of ${tenantId} set to ${quotaBytes ?? 'the default'} by ${principal.tenantId}/${principal.userName}`,
    );
  }

  private canManageTenants(principal: Principal): boolean {
    const management = this.options.managementTenant;
    return (
      management !== undefined &&
      principal.tenantId === management &&
      hasAnyRole(principal, [Role.TenantManagementAdmin])
    );
  }

  private effectiveQuota(override: string | null): number | null {
    if (override !== null) return Number(override);
    return this.options.tenantStorageQuota ?? null;
  }

  /** Locks the tenant's row (creating it) for the rest of the transaction. */
  private async lockTenant(
    manager: EntityManager,
    tenantId: string,
  ): Promise<{ used: number; quota: number | null }> {
    const [row] = await manager.query<TenantRow[]>(
      `INSERT INTO tenant_storage AS s (tenant_id) VALUES ($1)
       ON CONFLICT (tenant_id) DO UPDATE SET tenant_id = s.tenant_id
       RETURNING s.used_bytes, s.quota_bytes`,
      [tenantId],
    );
    return { used: Number(row.used_bytes), quota: this.effectiveQuota(row.quota_bytes) };
  }

  /** Live reservations of the tenant's other uploads, after deleting this one's and expired ones. */
  private async reservedByOthers(manager: EntityManager, reservation: StorageReservation): Promise<number> {
    const [row] = await manager.query<Array<{ reserved: string }>>(
      `WITH gone AS (
         DELETE FROM storage_reservations WHERE tenant_id = $1 AND (expires_at <= now() OR id = $2)
       )
       SELECT COALESCE(SUM(bytes), 0) AS reserved FROM storage_reservations
       WHERE tenant_id = $1 AND id <> $2 AND expires_at > now()`,
      [reservation.tenantId, reservation.id],
    );
    return Number(row.reserved);
  }
}

function assertTenant(tenantId: string): void {
  // Fail closed: never account bytes to "no tenant".
  if (!tenantId) throw CumulocityError.forbidden();
}

function quotaExceeded(quota: number): CumulocityError {
  return new CumulocityError(
    507,
    'storage/Quota Exceeded',
    `The tenant's storage quota of ${quota} bytes leaves no room for this binary; delete binaries to free some`,
  );
}
