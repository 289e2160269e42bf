import type { Model } from '@opsroom/models';
import type { AdminService } from '../admin/admin-service.js';
import type { AlertService } from '../alerts/alert-service.js';
import type { MaintenanceWindows } from '../alerts/maintenance-windows.js';
import type { Sessions } from '../auth/sessions.js';
import type { OpsroomConfig } from '../config/config.js';
import type { ServerMetrics } from '../metrics/registry.js';
import type { TimeSeriesStore } from '../store/store.js';
import type { LiveModel } from '../vsm/live-model.js';
import type { RemoteQuery } from '../federation/remote-queries.js';

/** What the HTTP routes and socket.io handlers use; assembled by start.ts, or by tests. */
export interface AppServices {
  config: OpsroomConfig;
  model: () => Model;
  store: TimeSeriesStore;
  live: LiveModel;
  alerts: AlertService;
  maintenance: MaintenanceWindows;
  sessions: Sessions;
  metrics: ServerMetrics;
  /** Components' states for /healthz (broker link, ingest…), added to the store's. */
  health: () => Record<string, { ok: boolean; detail: string }>;
  now: () => number;
  /** Users and devices of the model file (the admin screens); absent: those routes answer 503. */
  admin?: AdminService;
  /**
   * Federation (issue 19 point 3): the nodes child servers own, asked of them over the link. Absent on a server
   * without child servers.
   */
  remote?: RemoteNodes;
}

/** What a parent server knows of the nodes its child servers own, and how it asks them. */
export interface RemoteNodes {
  /**
   * The child server a question about `node` goes to: the child owning it, or the child above the server (any depth
   * below) that owns it; undefined for this server's own nodes and unknown paths. A map lookup: called per node.
   */
  ownerOf(node: string): string | undefined;
  /** The server below this one that runs `node` (a child or one further down); undefined as for ownerOf. */
  serverOf(node: string): string | undefined;
  /** Whether the child server's link is up now. */
  connected(child: string): boolean;
  /** The whole model file's tree (this server's own model is narrowed to what it runs). */
  fullModel(): Model;
  /** Asks the child; answers its body, or throws its error (OPS_ERR_SERVER_UNREACHABLE when it cannot be asked). */
  ask(child: string, q: Omit<RemoteQuery, 'kind' | 'qid'>): Promise<unknown>;
}
