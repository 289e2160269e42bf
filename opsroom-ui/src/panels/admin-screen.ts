import type { AdminApi, AdminDevice, AdminUser } from '../data/admin-api.js';
import type { SessionUser, Store } from '../data/state.js';
import { el } from './frame-render.js';
import { formatAge } from './format.js';
import { t } from '../i18n/i18n.js';

const ROLES = ['council', 'planner', 'admin'] as const;
type UserRole = (typeof ROLES)[number];

/**
 * The roles a user may give: their own and those below it (council < planner < admin).
 * @example rolesUpTo('planner') // ['council', 'planner']
 */
export function rolesUpTo(role: string): UserRole[] {
  const i = ROLES.indexOf(role as UserRole);
  return ROLES.slice(0, i + 1);
}

/** Whether the user sees the administration screen: admins, and councils within their scope. */
export function mayAdminister(user: SessionUser): boolean {
  return user.role === 'admin' || user.role === 'council';
}

/**
 * A device's last contact and buffer, in words.
 * @example contactText({ lastContact: null, ... }, 0) // 'not heard since the server started'
 */
export function contactText(d: Pick<AdminDevice, 'lastContact' | 'connected'>, now: number): string {
  const heard = d.lastContact === null ? t('admin.notHeard') : t('admin.heard', { age: formatAge(d.lastContact, now) });
  return d.connected ? t('admin.connected', { heard }) : heard;
}

/**
 * @example bufferText({ health: 'backlog', depth: 12 }) // 'backlog: 12 waiting'
 */
export function bufferText(b: AdminDevice['buffer']): string {
  if (b.health === 'unknown') return t('admin.buffer.none');
  const depth = b.depth === undefined ? '' : t('admin.buffer.waiting', { count: b.depth });
  const dropped = b.dropped ? t('admin.buffer.dropped', { count: b.dropped }) : '';
  return `${t(`admin.buffer.${b.health}`)}: ${depth}${dropped}`;
}

/**
 * Administration (issue 20 point 5), for admins and councils: the users and devices in the
 * caller's scope. Users: add (a password given or generated), change role and scope, disable or
 * enable, reset the password. Devices: provision on a node, rotate the secret, disable or enable,
 * with last contact and the agent's buffer health. A generated password or secret is shown once,
 * with a copy button and a warning: the server keeps only its hash. Every change is written into
 * the model file by the server (the source of truth), and takes effect at once.
 */
export class AdminScreen {
  private readonly status: HTMLElement;
  private readonly secretBox: HTMLElement;
  private readonly usersBody: HTMLTableSectionElement;
  private readonly devicesBody: HTMLTableSectionElement;
  private readonly nodeList: HTMLDataListElement;
  private readonly onToggle = () => this.show(this.root.hidden !== false);
  private disposed = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly toggle: HTMLButtonElement,
    private readonly user: SessionUser,
    private readonly api: AdminApi,
    private readonly store: Store,
  ) {
    toggle.hidden = !mayAdminister(user);
    toggle.addEventListener('click', this.onToggle);

    const close = el('button', 'admin-close', t('admin.back'));
    close.type = 'button';
    close.addEventListener('click', () => this.show(false));
    const head = el('div', 'admin-head');
    head.append(el('h2', 'admin-title', t('admin.title')), close);
    const note = el('p', 'hint', t('admin.note', { scope: user.scope }));
    this.status = el('p', 'admin-status');
    this.status.setAttribute('role', 'status');
    this.secretBox = el('div', 'admin-secret');
    this.secretBox.dataset.testid = 'admin-secret';
    this.secretBox.hidden = true;
    this.nodeList = el('datalist');
    this.nodeList.id = 'admin-nodes';

    this.usersBody = el('tbody');
    this.devicesBody = el('tbody');
    root.replaceChildren(
      head,
      note,
      this.status,
      this.secretBox,
      this.nodeList,
      el('h3', undefined, t('admin.users')),
      this.table(
        [t('admin.col.user'), t('admin.col.role'), t('admin.col.scope'), t('admin.col.status'), ''],
        this.usersBody,
        'admin-users',
      ),
      this.newUserForm(),
      el('h3', undefined, t('admin.devices')),
      this.table(
        [...(['device', 'node', 'status', 'contact', 'buffer'] as const).map((c) => t(`admin.col.${c}`)), ''],
        this.devicesBody,
        'admin-devices',
      ),
      this.newDeviceForm(),
    );
  }

  dispose(): void {
    this.disposed = true;
    this.toggle.removeEventListener('click', this.onToggle);
    this.toggle.hidden = true;
    this.show(false);
    this.root.replaceChildren();
  }

  private show(on: boolean): void {
    this.root.hidden = !on;
    document.body.classList.toggle('view-admin', on);
    this.toggle.setAttribute('aria-pressed', String(on));
    if (on) void this.reload();
    else this.clearSecret();
  }

  private async reload(): Promise<void> {
    const paths = (this.store.get().model?.nodes ?? []).map((n) => n.path);
    this.nodeList.replaceChildren(...paths.map((p) => Object.assign(el('option'), { value: p })));
    try {
      const [users, devices] = await Promise.all([this.api.users(), this.api.devices()]);
      if (this.disposed) return;
      this.renderUsers(users);
      this.renderDevices(devices);
    } catch (err) {
      this.say(t('admin.loadFailed', { message: (err as Error).message }), true);
    }
  }

  private table(columns: string[], body: HTMLTableSectionElement, testid: string): HTMLTableElement {
    const t = el('table', 'admin-table');
    t.dataset.testid = testid;
    const tr = el('tr');
    for (const c of columns) tr.appendChild(el('th', undefined, c));
    const head = el('thead');
    head.appendChild(tr);
    t.append(head, body);
    return t;
  }

  private renderUsers(users: AdminUser[]): void {
    this.usersBody.replaceChildren(
      ...users.map((u) => {
        const tr = el('tr');
        tr.dataset.user = u.name;
        if (u.disabled) tr.classList.add('disabled');
        const name = el('td');
        name.append(el('b', undefined, u.name), el('span', 'hint', u.displayName ? ` ${u.displayName}` : ''));
        const role = el('select');
        role.setAttribute('aria-label', t('admin.roleOf', { user: u.name }));
        for (const r of ROLES) {
          const o = Object.assign(el('option', undefined, t(`role.${r}`)), { value: r });
          o.disabled = !rolesUpTo(this.user.role).includes(r);
          role.appendChild(o);
        }
        role.value = u.role;
        const scope = Object.assign(el('input'), { value: u.scope });
        scope.setAttribute('list', 'admin-nodes');
        scope.setAttribute('aria-label', t('admin.scopeOf', { user: u.name }));
        const self = u.name === this.user.name;
        role.disabled = self;
        scope.disabled = self;
        const save = this.button(t('admin.save'), () =>
          this.userChange(u.name, { role: role.value as UserRole, scope: scope.value }, `${u.name} changed`),
        );
        save.disabled = self;
        const toggle = this.button(u.disabled ? t('admin.enable') : t('admin.disable'), () =>
          this.userChange(u.name, { disabled: !u.disabled }, `${u.name} ${u.disabled ? 'enabled' : 'disabled'}`),
        );
        toggle.disabled = self && !u.disabled;
        toggle.dataset.action = 'toggle';
        const reset = this.button(t('admin.resetPassword'), () =>
          this.userChange(u.name, { resetPassword: true }, `New password for ${u.name}`),
        );
        reset.disabled = self; // a reset ends the user's sessions: not one's own from here
        const actions = el('td', 'admin-actions');
        actions.append(save, toggle, reset);
        tr.append(
          name,
          this.cell(role),
          this.cell(scope),
          el('td', 'admin-state', u.disabled ? t('admin.disabled') : t('admin.active')),
          actions,
        );
        return tr;
      }),
    );
  }

  private renderDevices(devices: AdminDevice[]): void {
    const now = Date.now();
    this.devicesBody.replaceChildren(
      ...devices.map((d) => {
        const tr = el('tr');
        tr.dataset.device = d.id;
        if (d.disabled) tr.classList.add('disabled');
        const toggle = this.button(d.disabled ? t('admin.enable') : t('admin.disable'), () =>
          this.deviceChange(d.id, { disabled: !d.disabled }, `${d.id} ${d.disabled ? 'enabled' : 'disabled'}`),
        );
        toggle.dataset.action = 'toggle';
        const rotate = this.button(t('admin.rotateSecret'), () =>
          this.deviceChange(d.id, { rotateSecret: true }, `New secret for ${d.id}`),
        );
        const actions = el('td', 'admin-actions');
        actions.append(toggle, rotate);
        const buffer = el('td', `admin-buffer buffer-${d.buffer.health}`, bufferText(d.buffer));
        tr.append(
          el('td', undefined, d.id),
          el('td', undefined, d.node),
          el('td', 'admin-state', d.disabled ? t('admin.disabled') : t('admin.active')),
          el('td', undefined, contactText(d, now)),
          buffer,
          actions,
        );
        return tr;
      }),
    );
  }

  private newUserForm(): HTMLFormElement {
    const form = el('form', 'admin-form');
    form.dataset.testid = 'admin-new-user';
    const name = this.input('name', t('admin.field.name'), true);
    const display = this.input('displayName', t('admin.field.displayName'));
    const role = el('select');
    role.name = 'role';
    role.setAttribute('aria-label', t('admin.field.role'));
    for (const r of rolesUpTo(this.user.role))
      role.appendChild(Object.assign(el('option', undefined, t(`role.${r}`)), { value: r }));
    const scope = this.input('scope', t('admin.field.scope'), true);
    scope.value = this.user.scope;
    scope.setAttribute('list', 'admin-nodes');
    const password = this.input('password', t('admin.field.password'));
    password.type = 'password';
    password.autocomplete = 'new-password';
    const submit = Object.assign(el('button', undefined, t('admin.addUser')), { type: 'submit' });
    form.append(name, display, role, scope, password, submit);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.run(async () => {
        const answer = await this.api.addUser({
          name: name.value.trim(),
          role: role.value as UserRole,
          scope: scope.value.trim(),
          ...(display.value.trim() ? { displayName: display.value.trim() } : {}),
          ...(password.value ? { password: password.value } : {}),
        });
        form.reset();
        scope.value = this.user.scope;
        if (answer.password) this.reveal(`Password for ${answer.user.name}`, answer.password);
        return `${answer.user.name} added`;
      });
    });
    return form;
  }

  private newDeviceForm(): HTMLFormElement {
    const form = el('form', 'admin-form');
    form.dataset.testid = 'admin-new-device';
    const id = this.input('id', t('admin.field.id'), true);
    const node = this.input('node', t('admin.field.node'), true);
    node.setAttribute('list', 'admin-nodes');
    const submit = Object.assign(el('button', undefined, t('admin.provision')), { type: 'submit' });
    form.append(id, node, submit);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.run(async () => {
        const answer = await this.api.provisionDevice({ id: id.value.trim(), node: node.value.trim() });
        form.reset();
        if (answer.secret) this.reveal(`Secret of ${answer.device.id}`, answer.secret);
        return `${answer.device.id} provisioned on ${answer.device.node}`;
      });
    });
    return form;
  }

  private userChange(name: string, body: Parameters<AdminApi['changeUser']>[1], done: string): void {
    void this.run(async () => {
      const answer = await this.api.changeUser(name, body);
      if (answer.password) this.reveal(`Password for ${name}`, answer.password);
      return done;
    });
  }

  private deviceChange(id: string, body: Parameters<AdminApi['changeDevice']>[1], done: string): void {
    void this.run(async () => {
      const answer = await this.api.changeDevice(id, body);
      if (answer.secret) this.reveal(`Secret of ${id}`, answer.secret);
      return done;
    });
  }

  /** Runs a change, says how it went, and reloads the lists. */
  private async run(change: () => Promise<string>): Promise<void> {
    try {
      this.say(await change(), false);
    } catch (err) {
      this.say((err as Error).message, true);
    }
    if (!this.disposed && !this.root.hidden) await this.reload();
  }

  /** A secret shown once: its text, a copy button and a warning. */
  private reveal(label: string, secret: string): void {
    const code = el('code', 'admin-secret-value', secret);
    code.dataset.testid = 'admin-secret-value';
    const copy = this.button(t('admin.copy'), () => {
      void navigator.clipboard?.writeText(secret).then(
        () => (copy.textContent = t('admin.copied')),
        () => window.getSelection()?.selectAllChildren(code),
      );
    });
    const done = this.button(t('admin.done'), () => this.clearSecret());
    this.secretBox.replaceChildren(
      el('strong', undefined, label),
      code,
      copy,
      done,
      el('p', 'admin-warning', t('admin.warning')),
    );
    this.secretBox.hidden = false;
  }

  private clearSecret(): void {
    this.secretBox.replaceChildren();
    this.secretBox.hidden = true;
  }

  private say(text: string, error: boolean): void {
    this.status.textContent = text;
    this.status.classList.toggle('error', error);
  }

  private button(text: string, onClick: () => void): HTMLButtonElement {
    const b = el('button', undefined, text);
    b.type = 'button';
    b.addEventListener('click', onClick);
    return b;
  }

  private input(name: string, label: string, required = false): HTMLInputElement {
    const i = el('input');
    i.name = name;
    i.placeholder = label;
    i.setAttribute('aria-label', label);
    i.required = required;
    return i;
  }

  private cell(child: HTMLElement): HTMLTableCellElement {
    const td = el('td');
    td.appendChild(child);
    return td;
  }
}
