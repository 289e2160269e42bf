import type { NodeState } from '@opsroom/models';
import { t } from '../i18n/i18n.js';

/**
 * The shape that goes beside every state colour, so that a state never rests on colour alone
 * (colour-blind users, grey-scale print, a glance from across the room): a circle when normal,
 * a triangle for an alert, a diamond for a crisis. The same shapes are drawn by CSS in the node
 * list (`.state-dot.state-<state>`).
 *
 * @example stateGlyph('alert') // '▲'
 */
export function stateGlyph(state: NodeState): string {
  return STATE_GLYPHS[state];
}

const STATE_GLYPHS: Readonly<Record<NodeState, string>> = Object.freeze({ normal: '●', alert: '▲', crisis: '◆' });

/**
 * A node's name with its state for text-only places (tooltips, 3D name tags): the name alone
 * when normal, else the glyph, the name and the state in words.
 *
 * @example labelWithState('Taller 2', 'crisis') // '◆ Taller 2 · crisis'
 * @example labelWithState('Taller 2', 'normal') // 'Taller 2'
 */
export function labelWithState(name: string, state: NodeState): string {
  return state === 'normal' ? name : `${stateGlyph(state)} ${name} · ${t(`state.${state}`)}`;
}
