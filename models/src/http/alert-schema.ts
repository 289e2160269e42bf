/**
 * The alert as the HTTP API and the socket.io events carry it: one TypeBox schema, from which the
 * `Alert` type every package uses is derived (`Static`), and which the server's routes publish in
 * the OpenAPI document and validate against. Change a field here and the types, the validation and
 * the API documentation change together.
 */
import Type, { type Static } from 'typebox';
import { ALERT_ACTIONS, ALERT_STATES, CHANGE_KINDS, TRAIL_NOTE_KEYS } from '../alerts/alert-kinds.js';
import { PRIORITIES } from '../vsm/model.js';

const ms = (description: string) => Type.Number({ description: `${description} (ms since epoch)` });

export const AlertShelfSchema = Type.Object(
  {
    by: Type.String(),
    at: ms('when it was shelved'),
    until: ms('when the shelf expires by itself'),
    note: Type.Optional(Type.String()),
    remainingMs: Type.Union([Type.Number(), Type.Null()], {
      description: "what was left of the owner's correction window when shelved (ms); null when it had none",
    }),
  },
  { description: 'present while shelved: hidden from the active list until `until`, its correction window paused' },
);

export const AlertChatterSchema = Type.Object(
  {
    raises: Type.Integer({
      description: "raises at this node and indicator within the rule's span, this one included",
    }),
    firstAt: ms('the first of them'),
    lastAt: ms('the latest'),
  },
  {
    description:
      "present when held as chattering: it cleared and re-raised more than the model's `reraises` within `minutes`",
  },
);

export const AlertTrailSaysSchema = Type.Object(
  {
    key: Type.Enum(TRAIL_NOTE_KEYS),
    params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), {
      description:
        'the parts of the note: node paths, alert ids, user names, kinds, times (ms), numbers, a person’s note',
    }),
  },
  {
    description:
      'what a note the server wrote says, for saying it in another language; the English `note` stays. Absent on ' +
      "people's notes and on entries written before it existed",
  },
);

export const AlertTrailEntrySchema = Type.Object(
  {
    at: ms('when'),
    actor: Type.String({ description: "user name, or `system` for the server's own moves" }),
    action: Type.Enum(ALERT_ACTIONS),
    fromNode: Type.String({ description: 'the node that held the alert before this entry' }),
    toNode: Type.String({ description: 'the node that holds it after (differs from fromNode only on escalation)' }),
    fromState: Type.Optional(Type.Enum(ALERT_STATES)),
    toState: Type.Optional(Type.Enum(ALERT_STATES)),
    note: Type.Optional(Type.String()),
    says: Type.Optional(AlertTrailSaysSchema),
  },
  { description: "one line of an alert's audit trail" },
);

const count = (description: string) => Type.Object({ count: Type.Integer(), lastAt: ms('the last') }, { description });

export const AlertSchema = Type.Object(
  {
    id: Type.String(),
    node: Type.String({ description: 'the node where the anomaly was seen' }),
    owner: Type.String({ description: 'the node that owns it now (moves up on escalation)' }),
    path: Type.Array(Type.String(), { description: 'every node that has owned it, origin first' }),
    indicator: Type.String(),
    series: Type.Optional(
      Type.Enum(['productivity', 'latency', 'performance'] as const, {
        description: "absent for the indicator's actuality, else one of Beer's indices",
      }),
    ),
    kind: Type.Enum(CHANGE_KINDS),
    probability: Type.Number({ description: 'how sure the system is, in [0,1] (the one number to show)' }),
    score: Type.Number({ description: "the detector's anomaly score in [0,1] (for tooling; not shown to people)" }),
    state: Type.Enum(ALERT_STATES),
    priority: Type.Optional(
      Type.Enum(PRIORITIES, {
        description:
          "the indicator's priority at the node moved one step by how far and how " +
          'sure the change is (docs/alerts.md); absent on alerts saved before ' +
          'priorities: medium',
      }),
    ),
    shelved: Type.Optional(AlertShelfSchema),
    maintenance: Type.Optional(
      Type.Object(
        { window: Type.String(), until: Type.Number(), reason: Type.String() },
        { description: "present while a maintenance window covers the alert's node and indicator" },
      ),
    ),
    chattering: Type.Optional(AlertChatterSchema),
    assignee: Type.Optional(
      Type.String({ description: 'who is working on it: a user whose scope covered the owner when assigned' }),
    ),
    refired: Type.Optional(count('new changes (or dropouts) on its series while it was open: how many, the last')),
    reminders: Type.Optional(count("reminders sent to the owner's webhook while unacknowledged")),
    firstChild: Type.Optional(
      Type.Object(
        { alert: Type.String(), node: Type.String(), at: Type.Number() },
        { description: 'for a grouping alert: the child alert that came first' },
      ),
    ),
    value: Type.Number({ description: 'the observed value that raised or last updated it' }),
    forecast: Type.Optional(
      Type.Object(
        { mean: Type.Number(), lower: Type.Number(), upper: Type.Number() },
        { description: 'the forecast band it broke' },
      ),
    ),
    sigmas: Type.Optional(Type.Number({ description: '(value − forecast mean) in noise standard deviations' })),
    since: Type.Optional(ms('the reading where the change was seen')),
    summary: Type.Optional(
      Type.String({
        description: 'the alert in plain words: what changed, by how much against the forecast, how sure, since when',
      }),
    ),
    raisedAt: Type.Number(),
    updatedAt: Type.Number(),
    deadline: Type.Union([Type.Number(), Type.Null()], {
      description: "when the owner's correction window runs out; null while shelved (paused) and once resolved",
    }),
    groups: Type.Optional(
      Type.Array(Type.String(), {
        description: 'for a grouping alert (kind `group`): the ids of the child alerts it groups',
      }),
    ),
    groupedBy: Type.Optional(Type.String({ description: 'for a child: the grouping alert it belongs to' })),
    trail: Type.Array(AlertTrailEntrySchema, {
      description: 'the audit trail, at most 1,000 entries (docs/alerts.md)',
    }),
    trailDropped: Type.Optional(
      Type.Integer({
        description: 'how many old comments and evidence notes the trail policy dropped; absent when none',
      }),
    ),
  },
  { description: 'An algedonic alert' },
);

export type AlertShelf = Static<typeof AlertShelfSchema>;
export type AlertChatter = Static<typeof AlertChatterSchema>;
export type AlertTrailEntry = Static<typeof AlertTrailEntrySchema>;
export type AlertTrailSays = Static<typeof AlertTrailSaysSchema>;
export type AlertAction = (typeof ALERT_ACTIONS)[number];
export type Alert = Static<typeof AlertSchema>;
