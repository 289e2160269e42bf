import type { Model } from '@opsroom/models';
import type { AdminService } from '../admin/admin-service.js';
import type { AlertService } from '../alerts/alert-service.js';
import type { MaintenanceWindows } from '../alerts/maintenance-windows.js';
import type { Sessions } from '../auth/sessions.js';
import type { OpsroomConfig } from '../config/config.js';
import type { ServerMetrics } from '../metrics/registry.js';
import type { TimeSeriesStore } from '../store/store.js';
import type { LiveModel } from '../vsm/live-model.js';

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
}
