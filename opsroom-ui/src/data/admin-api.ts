import type {
  AdminDevice,
  AdminUser,
  DeviceAnswer,
  DevicePatchBody,
  NewDeviceBody,
  NewUserBody,
  UserAnswer,
  UserPatchBody,
} from '@opsroom/models/http';
import { ApiError } from './api.js';
import { t } from '../i18n/i18n.js';

export type { AdminDevice, AdminUser, DeviceAnswer, UserAnswer };

/** The administration routes (users and devices of the model file; README "Administration"). */
export interface AdminApi {
  users(): Promise<AdminUser[]>;
  addUser(body: NewUserBody): Promise<UserAnswer>;
  changeUser(name: string, body: UserPatchBody): Promise<UserAnswer>;
  devices(): Promise<AdminDevice[]>;
  provisionDevice(body: NewDeviceBody): Promise<DeviceAnswer>;
  changeDevice(id: string, body: DevicePatchBody): Promise<DeviceAnswer>;
}

export interface AdminApiOptions {
  fetch?: typeof fetch;
  /** Called on a 401 (the session ended, e.g. the user was disabled): show the login form. */
  onUnauthorized?: () => void;
}

export function createAdminApi(opts: AdminApiOptions = {}): AdminApi {
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  async function call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(path, {
        method,
        credentials: 'same-origin',
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError(0, undefined, t('page.unreachableShort', { message: (err as Error).message }));
    }
    const text = await res.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (!res.ok) {
      const e = (data ?? {}) as { error?: unknown; code?: unknown };
      const err = new ApiError(
        res.status,
        typeof e.code === 'string' ? e.code : undefined,
        typeof e.error === 'string' ? e.error : `${res.status} ${res.statusText}`,
      );
      if (err.unauthorized) opts.onUnauthorized?.();
      throw err;
    }
    return data as T;
  }
  const seg = encodeURIComponent;
  return {
    users: () => call('GET', '/api/admin/users'),
    addUser: (body) => call('POST', '/api/admin/users', body),
    changeUser: (name, body) => call('PATCH', `/api/admin/users/${seg(name)}`, body),
    devices: () => call('GET', '/api/admin/devices'),
    provisionDevice: (body) => call('POST', '/api/admin/devices', body),
    changeDevice: (id, body) => call('PATCH', `/api/admin/devices/${seg(id)}`, body),
  };
}
