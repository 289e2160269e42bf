/**
 * The room's languages (issue 20 point 4): message catalogues, the active language, and number and
 * date formats of its locale. English defines the keys ({@link MessageKey}); every catalogue of
 * {@link LANGUAGES} has the same keys, with plural messages where English has them.
 *
 * The language is the user's choice (the header's selector, kept in localStorage) or else the
 * browser's (`navigator.languages`: the first one the room speaks), else English. To add a
 * language: write `xx.ts` with `export const xx: Catalogue = { … }` and add it to LANGUAGES.
 */
import { en } from './en.js';
import { es } from './es.js';
import type { Message, PluralMessage } from './message.js';

export type MessageKey = keyof typeof en;

/** A language's catalogue: every key of English, a plural message where English has one. */
export type Catalogue = { readonly [K in MessageKey]: (typeof en)[K] extends string ? string : PluralMessage };

export interface Language {
  /** The language's own name, for the selector. */
  name: string;
  /** The locale its numbers and dates take when the browser names none of this language. */
  locale: string;
  messages: Catalogue;
}

/** The languages the room speaks, by BCP 47 primary subtag. The one table a new language is added to. */
export const LANGUAGES = {
  en: { name: 'English', locale: 'en-US', messages: en },
  es: { name: 'Español', locale: 'es-ES', messages: es },
} as const satisfies Record<string, Language>;

export type Lang = keyof typeof LANGUAGES;

/** Where the user's choice is kept. */
export const STORAGE_KEY = 'opsroom.lang';

let current: Lang = 'en';
let currentLocale: string = LANGUAGES.en.locale;

export function isLang(x: unknown): x is Lang {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(LANGUAGES, x);
}

/**
 * The language to use: the stored choice when the room speaks it, else the first browser language
 * it speaks (`es-AR` → `es`), else English.
 * @example pickLanguage(null, ['es-ES', 'en']) // 'es'
 */
export function pickLanguage(stored: string | null, browser: readonly string[]): Lang {
  if (isLang(stored)) return stored;
  for (const tag of browser) {
    const primary = tag.toLowerCase().split('-')[0];
    if (isLang(primary)) return primary;
  }
  return 'en';
}

/**
 * The locale for numbers and dates: the first browser locale of the language (`es-MX` keeps Mexican
 * formats), else the language's default.
 * @example localeFor('es', ['en-GB', 'es-MX']) // 'es-MX'
 */
export function localeFor(lang: Lang, browser: readonly string[]): string {
  const own = browser.find((tag) => tag.toLowerCase().split('-')[0] === lang && tag.includes('-'));
  if (!own) return LANGUAGES[lang].locale;
  try {
    return Intl.getCanonicalLocales(own)[0] ?? LANGUAGES[lang].locale;
  } catch {
    return LANGUAGES[lang].locale;
  }
}

function browserLanguages(): readonly string[] {
  return typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage refused (privacy settings): the choice lasts for the page only
  }
}

/** Sets the language from the stored choice or the browser; call once at start. */
export function initLanguage(): Lang {
  setLanguage(pickLanguage(storage()?.getItem(STORAGE_KEY) ?? null, browserLanguages()));
  return current;
}

/** Makes `lang` active (for this page; {@link chooseLanguage} also keeps it). */
export function setLanguage(lang: Lang): void {
  current = lang;
  currentLocale = localeFor(lang, browserLanguages());
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}

/** The user's choice: kept in localStorage, and made active. */
export function chooseLanguage(lang: Lang): void {
  storage()?.setItem(STORAGE_KEY, lang);
  setLanguage(lang);
}

export function language(): Lang {
  return current;
}

/** The active locale, for Intl formats. */
export function locale(): string {
  return currentLocale;
}

export type Params = Readonly<Record<string, string | number>>;

function fill(text: string, params: Params | undefined): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (hole, name: string) => {
    const v = params[name];
    return v === undefined ? hole : String(v);
  });
}

const pluralRules = new Map<string, Intl.PluralRules>();

function pick(message: Message, count: number): string {
  if (typeof message === 'string') return message;
  let rules = pluralRules.get(currentLocale);
  if (!rules) pluralRules.set(currentLocale, (rules = new Intl.PluralRules(currentLocale)));
  return message[rules.select(count)] ?? message.other;
}

/**
 * The text of `key` in the active language with its holes filled; a plural message takes the form
 * for `params.count`. Numbers are put in as they are: format them first where the locale matters.
 * @example t('alerts.open', { count: 2, where: 'Norte' }) // '2 open alerts at or under Norte'
 */
export function t(key: MessageKey, params?: Params): string {
  const message: Message = LANGUAGES[current].messages[key] ?? en[key];
  return fill(pick(message, Number(params?.count ?? 0)), params);
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/** A number in the active locale (`1,234.5` in English, `1234,5` in Spanish). */
export function formatNumber(value: number, options: Intl.NumberFormatOptions = {}): string {
  const id = `${currentLocale}|${JSON.stringify(options)}`;
  let f = numberFormats.get(id);
  if (!f) numberFormats.set(id, (f = new Intl.NumberFormat(currentLocale, options)));
  return f.format(value);
}

/** A time of day in the active locale; `options` as for toLocaleTimeString. */
export function formatTime(ms: number, options?: Intl.DateTimeFormatOptions): string {
  return new Date(ms).toLocaleTimeString(currentLocale, options);
}

/** A date and time in the active locale; `options` as for toLocaleString. */
export function formatDateTime(ms: number, options?: Intl.DateTimeFormatOptions): string {
  return new Date(ms).toLocaleString(currentLocale, options);
}
