import type { IndicatorUpdate, Levels, LevelSource } from '@opsroom/models';
import { valueKey, type RoomState, type Store } from '../data/state.js';
import { formatAge, formatValue } from './format.js';
import { el, renderOnFrame } from './frame-render.js';
import { t } from '../i18n/i18n.js';

interface OwnCells {
  row: HTMLTableRowElement;
  value: HTMLTableCellElement;
  /** The number, and beside it the mark saying whether it is set or learned (levelSource). */
  capability: HTMLElement;
  capabilityMark: HTMLElement;
  potentiality: HTMLElement;
  potentialityMark: HTMLElement;
  status: HTMLTableCellElement;
  age: HTMLTableCellElement;
}

interface ChildCell {
  cell: HTMLTableCellElement;
}

/**
 * The focused node's indicators as a table (value, unit, Beer's levels, status: fresh or stale
 * with what is missing below, age), then one row per child with its values: the HTML twin of the 3D room. Each live
 * value carries `data-testid="value-<path>-<indicator>"`. A click on an indicator charts it; a
 * click on a child focuses it.
 */
export class NodeValues {
  private own = new Map<string, OwnCells>();
  private children = new Map<string, ChildCell>();
  private readonly unsubscribe: () => void;
  private readonly tick: ReturnType<typeof setInterval>;

  constructor(
    private readonly root: HTMLElement,
    private readonly store: Store,
    private readonly onFocus: (path: string) => void,
    private readonly onIndicator: (id: string) => void,
  ) {
    root.addEventListener('click', this.onClick);
    this.unsubscribe = renderOnFrame(store, (s, prev) => this.render(s, prev));
    this.tick = setInterval(() => this.fill(this.store.get()), 5000); // ages move on
  }

  private render(s: RoomState, prev: RoomState | null): void {
    if (!prev || prev.focus !== s.focus || prev.model !== s.model) this.build(s);
    if (!prev || prev.latest !== s.latest || prev.focus !== s.focus || prev.model !== s.model) this.fill(s);
    if (!prev || prev.indicator !== s.indicator || prev.focus !== s.focus || prev.model !== s.model) {
      for (const [id, cells] of this.own) cells.row.classList.toggle('selected', id === s.indicator);
    }
  }

  private build(s: RoomState): void {
    this.own = new Map();
    this.children = new Map();
    this.root.replaceChildren();
    const focus = s.focus ? s.nodes.get(s.focus) : undefined;
    if (!s.model || !focus) return;

    const table = el('table', 'values');
    const caption = el('caption', undefined, t('values.caption', { node: focus.name }));
    table.appendChild(caption);
    const head = table.createTHead().insertRow();
    for (const h of ['indicator', 'value', 'unit', 'capability', 'potentiality', 'status', 'updated'] as const)
      head.appendChild(el('th', undefined, t(`values.${h}`)));
    const body = table.createTBody();
    for (const ind of s.model.indicators) {
      const row = body.insertRow();
      row.dataset.indicator = ind.id;
      const name = row.insertCell();
      const pick = el('button', 'link', ind.name);
      pick.type = 'button';
      pick.dataset.indicator = ind.id;
      pick.title = t('values.chartThis');
      name.appendChild(pick);
      const value = row.insertCell();
      value.className = 'num value';
      value.dataset.testid = `value-${focus.path}-${ind.id}`;
      const unit = row.insertCell();
      unit.textContent = ind.unit;
      const [capability, capabilityMark] = levelCell(row);
      const [potentiality, potentialityMark] = levelCell(row);
      const status = row.insertCell();
      status.className = 'status';
      const age = row.insertCell();
      age.className = 'age';
      this.own.set(ind.id, { row, value, capability, capabilityMark, potentiality, potentialityMark, status, age });
    }
    this.root.appendChild(table);

    const kids = focus.children.filter((c) => s.nodes.has(c));
    if (kids.length === 0) return;
    const ct = el('table', 'values children');
    const level = s.nodes.get(kids[0] as string)?.level;
    const words = level
      ? t('values.childrenLevel', { node: focus.name, level })
      : t('values.children', { node: focus.name });
    ct.appendChild(el('caption', undefined, words));
    const ch = ct.createTHead().insertRow();
    ch.appendChild(el('th', undefined, t('values.node')));
    for (const ind of s.model.indicators)
      ch.appendChild(el('th', 'num', ind.unit ? `${ind.name} (${ind.unit})` : ind.name));
    const cb = ct.createTBody();
    for (const kid of kids) {
      const row = cb.insertRow();
      const name = row.insertCell();
      const b = el('button', 'link', s.nodes.get(kid)?.name ?? kid);
      b.type = 'button';
      b.dataset.path = kid;
      name.appendChild(b);
      for (const ind of s.model.indicators) {
        const cell = row.insertCell();
        cell.className = 'num value';
        cell.dataset.testid = `value-${kid}-${ind.id}`;
        this.children.set(valueKey(kid, ind.id), { cell });
      }
    }
    this.root.appendChild(ct);
  }

  private fill(s: RoomState): void {
    const focus = s.focus ? s.nodes.get(s.focus) : undefined;
    if (!focus) return;
    const now = Date.now();
    for (const [id, cells] of this.own) {
      const u = s.latest.get(valueKey(focus.path, id));
      const fixed = focus.levels[id];
      setText(cells.value, formatValue(u?.value));
      cells.value.classList.toggle('stale', !!u?.stale);
      setText(cells.capability, formatValue(u?.capability ?? fixed?.capability));
      setText(cells.potentiality, formatValue(u?.potentiality ?? fixed?.potentiality));
      setMark(cells.capabilityMark, levelSource(u, fixed, 'capability'));
      setMark(cells.potentialityMark, levelSource(u, fixed, 'potentiality'));
      setText(cells.status, statusText(u, focus.children.length > 0));
      cells.status.className = u ? `status ${isStale(u) ? 'stale' : 'fresh'}` : 'status';
      if (u) cells.status.dataset.missing = String(u.missingDescendants ?? 0);
      setText(cells.age, u && u.ts > 0 ? formatAge(u.ts, now) : u ? t('values.never') : '');
    }
    for (const [key, { cell }] of this.children) {
      const u = s.latest.get(key);
      setText(cell, formatValue(u?.value));
      cell.classList.toggle('stale', !!u?.stale);
      cell.classList.toggle('missing-below', !u?.stale && (u?.missingDescendants ?? 0) > 0);
      cell.title = u ? statusText(u, true) : t('values.noData');
    }
  }

  private readonly onClick = (e: MouseEvent): void => {
    const t = (e.target as HTMLElement).closest<HTMLElement>('button');
    if (t?.dataset.path) this.onFocus(t.dataset.path);
    else if (t?.dataset.indicator) this.onIndicator(t.dataset.indicator);
  };

  dispose(): void {
    clearInterval(this.tick);
    this.unsubscribe();
    this.root.removeEventListener('click', this.onClick);
    this.root.replaceChildren();
  }
}

/**
 * A node's value is shown stale when it is stale itself (no fresh value) or when any device at or
 * below it stopped sending (`missingDescendants`; its value then rolls up the others only).
 */
export function isStale(u: IndicatorUpdate): boolean {
  return u.stale || (u.missingDescendants ?? 0) > 0;
}

/**
 * `fresh`, `stale`, `stale · 3 missing below` (devices at any depth that stopped sending), `stale ·
 * 1 device silent` (at a leaf), or `no data yet`; `· learning` while the detector learns.
 * @example statusText({ ...update, stale: false, missingDescendants: 1 }, true) // 'stale · 1 missing below'
 */
export function statusText(u: IndicatorUpdate | undefined, hasChildren: boolean): string {
  if (!u) return t('values.noData');
  const parts = [isStale(u) ? t('values.stale') : t('values.fresh')];
  const missing = u.missingDescendants ?? 0;
  if (missing > 0)
    parts.push(
      hasChildren ? t('values.missingBelow', { count: missing }) : t('values.devicesSilent', { count: missing }),
    );
  else if (hasChildren && u.missingChildren > 0) parts.push(t('values.childrenWithout', { count: u.missingChildren }));
  // Its detector has not seen enough yet: no alert can come from this series until it has.
  if (u.learning) parts.push(t('values.learning'));
  return parts.join(' · ');
}

/**
 * The words of the mark beside capability and potentiality (issue 20 point 3), in the active language
 * (`values.source.*` in the i18n catalogues): the mark, and its tooltip.
 */
export const LEVEL_SOURCE_WORDS: Record<LevelSource, { readonly mark: string; readonly title: string }> = {
  set: {
    get mark() {
      return t('values.source.set');
    },
    get title() {
      return t('values.source.setTitle');
    },
  },
  learned: {
    get mark() {
      return t('values.source.learned');
    },
    get title() {
      return t('values.source.learnedTitle');
    },
  },
};

/**
 * Whether an indicator's capability or potentiality at a node is set or learned: what the live value says, else
 * `set` for a number in the model; undefined when there is neither (nothing shown).
 * @example levelSource({ ...update, capability: 42, capabilitySource: 'learned' }, undefined, 'capability') // 'learned'
 */
export function levelSource(
  u: IndicatorUpdate | undefined,
  fixed: Levels | undefined,
  kind: 'capability' | 'potentiality',
): LevelSource | undefined {
  const live = kind === 'capability' ? u?.capabilitySource : u?.potentialitySource;
  if (live !== undefined && u?.[kind] !== undefined) return live;
  return u?.[kind] === undefined && fixed?.[kind] !== undefined ? 'set' : undefined;
}

/** A numeric cell holding the number and, after it, the small set/learned mark. */
function levelCell(row: HTMLTableRowElement): [HTMLElement, HTMLElement] {
  const cell = row.insertCell();
  cell.className = 'num';
  const number = el('span');
  const mark = el('span', 'level-source');
  cell.append(number, mark);
  return [number, mark];
}

function setMark(e: HTMLElement, source: LevelSource | undefined): void {
  setText(e, source ? LEVEL_SOURCE_WORDS[source].mark : '');
  e.title = source ? LEVEL_SOURCE_WORDS[source].title : '';
  if (source) e.dataset.source = source;
  else delete e.dataset.source;
}

function setText(e: HTMLElement, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}
