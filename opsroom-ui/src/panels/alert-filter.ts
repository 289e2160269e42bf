import { CHANGE_KINDS, PRIORITIES, UNASSIGNED, type AlertFacetCounts } from '@opsroom/models';
import type { AlertViewFilter } from '../nav/hash.js';
import { el } from './frame-render.js';
import { t, type MessageKey } from '../i18n/i18n.js';

type SelectKey = Exclude<keyof AlertViewFilter, 'q'>;

/** One choice of a select: its value ('' = no filter) and words. */
export interface Choice {
  value: string;
  label: string;
}

/** What the selects offer besides the facet values: the model's indicators and the people in scope. */
export interface FilterContext {
  indicators: ReadonlyArray<{ id: string; name?: string }>;
  people: ReadonlyArray<{ name: string; displayName?: string }>;
  /** The signed-in user, offered first among assignees. */
  me?: string;
}

/**
 * The choices of each select, in a fixed order: every value the model allows, plus any value the
 * counts hold that the model does not know (an assignee no longer in the model).
 */
export function filterChoices(key: SelectKey, ctx: FilterContext, facets: AlertFacetCounts | null): Choice[] {
  switch (key) {
    case 'state':
      return [
        { value: '', label: t('filter.anyState') },
        ...(['open', 'raised', 'acknowledged', 'escalated', 'resolved'] as const).map((v) => ({
          value: v,
          label: t(`alertState.${v}`),
        })),
      ];
    case 'priority':
      return [
        { value: '', label: t('filter.anyPriority') },
        ...[...PRIORITIES].reverse().map((v) => ({ value: v, label: t(`priority.${v}`) })),
      ];
    case 'kind':
      return [
        { value: '', label: t('filter.anyKind') },
        ...CHANGE_KINDS.map((v) => ({ value: v, label: t(`kind.${v}`) })),
      ];
    case 'indicator':
      return [
        { value: '', label: t('filter.anyIndicator') },
        ...ctx.indicators.map((i) => ({ value: i.id, label: i.name ?? i.id })),
      ];
    case 'shelved':
      return [
        { value: '', label: t('filter.shelvedOrNot') },
        { value: 'exclude', label: t('filter.notShelved') },
        { value: 'only', label: t('filter.shelvedOnly') },
      ];
    case 'assignee': {
      const known = new Map(ctx.people.map((p) => [p.name, p.displayName ?? p.name]));
      const seen = Object.keys(facets?.assignee ?? {});
      const names = [...new Set([...(ctx.me ? [ctx.me] : []), ...known.keys(), ...seen])];
      return [
        { value: '', label: t('filter.anyone') },
        { value: UNASSIGNED, label: t('filter.nobody') },
        ...names
          .filter((n) => n !== UNASSIGNED)
          .map((n) => ({
            value: n,
            label: n === ctx.me ? t('filter.me', { name: known.get(n) ?? n }) : (known.get(n) ?? n),
          })),
      ];
    }
  }
}

/**
 * How many alerts a choice would show, from the facet counts (each facet counted without its own
 * filter); null for the "any" choice, which shows them all.
 */
export function choiceCount(key: SelectKey, value: string, facets: AlertFacetCounts): number | null {
  if (value === '') return null;
  const counts = facets[key === 'shelved' ? 'shelved' : key];
  return counts[value] ?? 0;
}

const SELECTS: ReadonlyArray<{ key: SelectKey; label: MessageKey }> = [
  { key: 'state', label: 'filter.state' },
  { key: 'priority', label: 'filter.priority' },
  { key: 'kind', label: 'filter.kind' },
  { key: 'indicator', label: 'filter.indicator' },
  { key: 'assignee', label: 'filter.assignee' },
  { key: 'shelved', label: 'filter.shelved' },
];

/**
 * The alert screen's filter bar: free text and one select per facet, each choice with the count it
 * would show (`high (12)`), and Clear. Calls `onChange` with the whole filter on every change (the
 * text after a short pause); {@link update} puts a filter and counts in (from the URL, the list).
 */
export class AlertFilterBar {
  readonly root: HTMLFormElement;
  private readonly text: HTMLInputElement;
  private readonly selects = new Map<SelectKey, HTMLSelectElement>();
  private readonly clear: HTMLButtonElement;
  private typing: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly onChange: (filter: AlertViewFilter) => void) {
    this.root = el('form', 'alert-filter');
    this.root.setAttribute('role', 'search');
    this.root.dataset.testid = 'alerts-filter';
    this.text = el('input', 'filter-q');
    this.text.type = 'search';
    this.text.placeholder = t('filter.searchPlaceholder');
    this.text.setAttribute('aria-label', t('filter.search'));
    this.text.maxLength = 200;
    this.root.appendChild(this.text);
    for (const { key, label } of SELECTS) {
      const s = el('select', `filter-${key}`);
      s.setAttribute('aria-label', t(label));
      s.name = key;
      this.selects.set(key, s);
      this.root.appendChild(s);
    }
    this.clear = el('button', 'filter-clear', t('filter.clear'));
    this.clear.type = 'button';
    this.root.appendChild(this.clear);
    this.root.addEventListener('submit', (e) => {
      e.preventDefault();
      this.emit();
    });
    this.root.addEventListener('change', (e) => {
      if (e.target !== this.text) this.emit();
    });
    this.text.addEventListener('input', () => {
      clearTimeout(this.typing);
      this.typing = setTimeout(() => this.emit(), 200);
    });
    this.clear.addEventListener('click', () => {
      this.text.value = '';
      for (const s of this.selects.values()) s.value = '';
      this.emit();
    });
  }

  /** The filter as the bar shows it. */
  value(): AlertViewFilter {
    const f: AlertViewFilter = {};
    const q = this.text.value.trim();
    if (q) f.q = q;
    for (const [key, s] of this.selects) if (s.value) (f as Record<string, string>)[key] = s.value;
    return f;
  }

  /** Shows `filter` (unless the user is typing in the text box) with each choice's count. */
  update(filter: AlertViewFilter, facets: AlertFacetCounts, ctx: FilterContext): void {
    if (document.activeElement !== this.text && this.text.value.trim() !== (filter.q ?? '')) {
      this.text.value = filter.q ?? '';
    }
    for (const [key, s] of this.selects) {
      const want = filter[key] ?? '';
      const choices = filterChoices(key, ctx, facets);
      if (want && !choices.some((c) => c.value === want)) choices.push({ value: want, label: want });
      const labels = choices.map((c) => {
        const n = choiceCount(key, c.value, facets);
        return n === null ? c.label : `${c.label} (${n})`;
      });
      const same = s.options.length === choices.length && choices.every((c, i) => s.options[i]!.value === c.value);
      if (!same) s.replaceChildren(...choices.map((c) => Object.assign(el('option'), { value: c.value })));
      choices.forEach((c, i) => {
        const o = s.options[i]!;
        if (o.textContent !== labels[i]) o.textContent = labels[i]!;
      });
      if (s.value !== want) s.value = want;
      s.classList.toggle('active', want !== '');
    }
    this.clear.disabled = Object.keys(filter).length === 0;
  }

  private emit(): void {
    clearTimeout(this.typing);
    this.onChange(this.value());
  }

  dispose(): void {
    clearTimeout(this.typing);
  }
}
