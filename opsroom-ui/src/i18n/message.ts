/** A plural message: one text per Intl.PluralRules category the language uses; `other` always. */
export type PluralMessage = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

/** A catalogue entry: a text with `{name}` holes, or a plural message chosen by `{count}`. */
export type Message = string | PluralMessage;
