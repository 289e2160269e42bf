import { describeAlert, type Alert, type AlertPhrases, type IndicatorWords } from '@opsroom/models';
import { formatTime, language, locale, t } from './i18n.js';

/** The alert sentence's phrases in the active language (the `alertText.*` keys of the catalogue). */
export function alertPhrases(): AlertPhrases {
  return {
    stepUp: t('alertText.stepUp'),
    stepDown: t('alertText.stepDown'),
    slopeUp: t('alertText.slopeUp'),
    slopeDown: t('alertText.slopeDown'),
    transient: t('alertText.transient'),
    flatline: t('alertText.flatline'),
    dropout: t('alertText.dropout'),
    group: t('alertText.group'),
    change: t('alertText.change'),
    above: t('alertText.above'),
    below: t('alertText.below'),
    sure: t('alertText.sure'),
    since: t('alertText.since'),
    when: t('alertText.when'),
  };
}

/** How the sentence names what it cannot read off the alert: nodes and indicators by their model names. */
export interface AlertTextNames {
  node(path: string): string;
  indicator(id: string): IndicatorWords | undefined;
  /** The indicator of another alert the room holds (a group's first child). */
  alertIndicator(id: string): string | undefined;
}

const DEVICE_SUFFIX = / \(device ([^)]+)\)\.$/;
const FIRST_CHILD = /; first: \S+ \(([^)]+)\) at /;

/**
 * The alert card's sentence in the active language. In English it is the server's `summary` as it
 * is; in another language it is built from the alert's fields with models' describeAlert and the
 * catalogue's phrases, plus what the server adds to some alerts: a group's first child (from
 * `firstChild`) and a dropout's device, which the alert does not carry as a field and which is read
 * off the English summary. Undefined when the server sent no summary (the card then says less).
 */
export function alertSentence(a: Alert, names: AlertTextNames): string | undefined {
  if (a.summary === undefined || language() === 'en') return a.summary;
  const ind = names.indicator(a.indicator) ?? { name: a.indicator };
  const words: IndicatorWords = a.series
    ? { name: `${ind.name} ${t(`series.${a.series}`)}` }
    : { name: ind.name, ...(ind.unit ? { unit: ind.unit } : {}) };
  let text = describeAlert({ ...a, series: undefined }, words, { phrases: alertPhrases(), locale: locale() }).replace(
    /\.$/,
    '',
  );
  if (a.kind === 'group' && a.firstChild) {
    const id = names.alertIndicator(a.firstChild.alert) ?? FIRST_CHILD.exec(a.summary)?.[1];
    text += t('alerts.firstChild', {
      node: names.node(a.firstChild.node),
      indicator: id ? (names.indicator(id)?.name ?? id) : '…',
      time: formatTime(a.firstChild.at),
    });
  }
  const device = DEVICE_SUFFIX.exec(a.summary)?.[1];
  if (device) text += t('alerts.device', { device });
  return `${text}.`;
}
