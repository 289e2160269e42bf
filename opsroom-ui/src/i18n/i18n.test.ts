import { afterEach, describe, expect, it } from '@jest/globals';
import { ALERT_PHRASES_EN, describeAlert, type Alert } from '@opsroom/models';
import { formatValue, formatRatio } from '../panels/format.js';
import { alertPhrases, alertSentence } from './alert-text.js';
import { en } from './en.js';
import { formatTime, LANGUAGES, localeFor, pickLanguage, setLanguage, t, type Lang } from './i18n.js';

const holes = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const texts = (m: unknown): string[] => (typeof m === 'string' ? [m] : Object.values(m as Record<string, string>));

describe('the catalogues', () => {
  afterEach(() => setLanguage('en'));

  for (const [lang, { messages }] of Object.entries(LANGUAGES)) {
    it(`${lang} has exactly the English keys, plural where English is, and the same holes`, () => {
      expect(Object.keys(messages).sort()).toEqual(Object.keys(en).sort());
      for (const [key, english] of Object.entries(en)) {
        const own: unknown = (messages as Record<string, unknown>)[key];
        expect([key, typeof own]).toEqual([key, typeof english]);
        if (typeof own !== 'string') expect([key, typeof (own as { other?: unknown }).other]).toEqual([key, 'string']);
        const want = holes(texts(english).join(' '));
        for (const text of texts(own)) expect([key, holes(text)]).toEqual([key, [...new Set(want)].sort()]);
      }
    });
  }

  it("English alert phrases are models' own, so the room's English sentence is the server's", () => {
    expect(alertPhrases()).toEqual(ALERT_PHRASES_EN);
  });
});

describe('choosing the language', () => {
  it("takes the user's choice, else the first browser language the room speaks, else English", () => {
    expect(pickLanguage('en', ['es-ES'])).toBe('en');
    expect(pickLanguage(null, ['es-ES', 'en'])).toBe('es');
    expect(pickLanguage(null, ['fr-FR', 'es-MX'])).toBe('es');
    expect(pickLanguage('xx', ['de'])).toBe('en');
    expect(pickLanguage(null, [])).toBe('en');
  });
  it("keeps the browser's region for numbers and dates when it speaks the language", () => {
    expect(localeFor('es', ['en-GB', 'es-MX'])).toBe('es-MX');
    expect(localeFor('es', ['en-GB'])).toBe('es-ES');
    expect(localeFor('en', [])).toBe('en-US');
  });
});

describe('t and the formats', () => {
  afterEach(() => setLanguage('en'));

  it('fills holes and picks plural forms', () => {
    expect(t('alerts.open', { count: 1, where: 'Norte' })).toBe('1 open alert at or under Norte');
    expect(t('alerts.open', { count: 3, where: 'Norte' })).toBe('3 open alerts at or under Norte');
    setLanguage('es');
    expect(t('alerts.open', { count: 1, where: 'Norte' })).toBe('1 alerta abierta en o bajo Norte');
    expect(t('alerts.open', { count: 3, where: 'Norte' })).toBe('3 alertas abiertas en o bajo Norte');
  });

  it('formats numbers by the locale', () => {
    const each = (lang: Lang) => {
      setLanguage(lang);
      return [formatValue(1234567.5678), formatValue(0.5), formatRatio(0.8125)];
    };
    expect(each('en')).toEqual(['1,234,567.568', '0.5', '81.3 %']);
    expect(each('es')).toEqual(['1.234.567,568', '0,5', '81,3 %']);
  });
});

describe('the alert sentence', () => {
  afterEach(() => setLanguage('en'));
  const at = Date.UTC(2026, 11, 5, 12, 3, 5);
  const alert = {
    id: 'a1',
    node: 'valle/norte',
    indicator: 'output',
    kind: 'step',
    value: 160.5,
    forecast: { mean: 100, lower: 94, upper: 106 },
    probability: 0.97,
    since: at,
    raisedAt: at,
  } as Alert;
  const names = {
    node: (p: string) => (p === 'valle/norte' ? 'Consejo Norte' : p),
    indicator: (id: string) => (id === 'output' ? { name: 'Producción', unit: 'u' } : undefined),
    alertIndicator: () => undefined,
  };

  it("is the server's summary in English", () => {
    const summary = describeAlert(alert, { name: 'Production', unit: 'u' });
    expect(alertSentence({ ...alert, summary }, names)).toBe(summary);
  });

  it('is built from the fields in Spanish, with the device the server added', () => {
    setLanguage('es');
    const summary = `${describeAlert(alert, { name: 'Production', unit: 'u' }).replace(/\.$/, '')} (device plc-2).`;
    expect(alertSentence({ ...alert, summary }, names)).toBe(
      'Producción subió a un nuevo nivel de 160,5 u: 60,5 u por encima de lo esperado, 100 u (rango habitual de 94 ' +
        'a 106). Seguro al 97 %. Desde las 12:03:05 UTC del 5 dic 2026 (dispositivo plc-2).',
    );
  });

  it("names a group's first child", () => {
    setLanguage('es');
    const group = { ...alert, kind: 'group' as const, value: 3, summary: 'x; first: valle/norte (output) at …' };
    const withChild = { ...group, firstChild: { alert: 'c', node: 'valle/norte', at } };
    expect(alertSentence(withChild, names)).toBe(
      '3 hijos de este nodo alertaron a la vez. Seguro al 97 %. Desde las 12:03:05 UTC del 5 dic 2026; ' +
        `la primera: Consejo Norte (Producción) a las ${formatTime(at)}.`,
    );
  });
});
