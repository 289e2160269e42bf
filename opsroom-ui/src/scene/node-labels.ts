import { CanvasTexture, Group, LinearFilter, SRGBColorSpace, Sprite, SpriteMaterial } from 'three';
import type { NodeState } from '@opsroom/models';
import type { SceneObject } from './room.js';

export interface LabelSpec {
  text: string;
  x: number;
  y: number;
  z: number;
  /** Brighter text for the focused node. */
  strong?: boolean;
  /** The node's state: an alert or a crisis gets a coloured frame (its text carries a glyph too). */
  state?: NodeState;
}

/** Frame colours of a name tag by state (the same hues as the nodes). */
const FRAME: Readonly<Record<NodeState, string | null>> = { normal: null, alert: '#f59e0b', crisis: '#ef4444' };

/** World height of one label, scene units. */
const LABEL_HEIGHT = 0.8;
const FONT_PX = 40;

/**
 * Name tags floating above the focused node and its children (sprites with canvas text; the
 * same names are in the HTML node list). Replaced as a whole when the focus moves.
 */
export class NodeLabels implements SceneObject {
  readonly object = new Group();
  private sprites: Sprite[] = [];

  set(labels: readonly LabelSpec[]): void {
    this.clear();
    for (const label of labels) {
      const sprite = makeLabel(label.text, label.strong === true, label.state ?? 'normal');
      if (!sprite) continue;
      sprite.position.set(label.x, label.y + 0.9, label.z);
      this.sprites.push(sprite);
      this.object.add(sprite);
    }
  }

  update(): boolean {
    // Sprites face the camera by themselves; set() asks the room for a frame.
    return false;
  }

  private clear(): void {
    for (const s of this.sprites) {
      this.object.remove(s);
      s.material.map?.dispose();
      s.material.dispose();
    }
    this.sprites = [];
  }

  dispose(): void {
    this.clear();
  }
}

function makeLabel(text: string, strong: boolean, state: NodeState): Sprite | null {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  const font = `${strong ? 600 : 500} ${FONT_PX}px system-ui, sans-serif`;
  ctx.font = font;
  const pad = 14;
  const frame = FRAME[state];
  // The state's shape, drawn as a path (a font may lack the glyph): ▲ alert, ◆ crisis.
  const mark = frame ? FONT_PX * 0.7 : 0;
  const gap = frame ? 10 : 0;
  const width = Math.ceil(ctx.measureText(text).width) + pad * 2 + mark + gap;
  const height = FONT_PX + pad;
  canvas.width = width;
  canvas.height = height;
  ctx.font = font; // resizing the canvas resets the context
  ctx.fillStyle = strong ? 'rgba(8, 30, 34, 0.85)' : 'rgba(8, 20, 24, 0.7)';
  ctx.beginPath();
  ctx.roundRect(0, 0, width, height, 10);
  ctx.fill();
  if (frame) {
    ctx.strokeStyle = frame;
    ctx.lineWidth = 4;
    ctx.beginPath();
    ctx.roundRect(2, 2, width - 4, height - 4, 9);
    ctx.stroke();
    const cx = pad + mark / 2;
    const cy = height / 2;
    const r = mark / 2;
    ctx.fillStyle = frame;
    ctx.beginPath();
    if (state === 'alert') {
      ctx.moveTo(cx, cy - r);
      ctx.lineTo(cx + r, cy + r * 0.85);
      ctx.lineTo(cx - r, cy + r * 0.85);
    } else {
      ctx.moveTo(cx, cy - r);
      ctx.lineTo(cx + r, cy);
      ctx.lineTo(cx, cy + r);
      ctx.lineTo(cx - r, cy);
    }
    ctx.closePath();
    ctx.fill();
  }
  ctx.fillStyle = strong ? '#f0fdfa' : '#a7c4c8';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, pad + mark + gap, height / 2 + 2);
  const texture = new CanvasTexture(canvas);
  texture.colorSpace = SRGBColorSpace;
  texture.minFilter = LinearFilter;
  texture.generateMipmaps = false;
  const sprite = new Sprite(new SpriteMaterial({ map: texture, depthWrite: false, transparent: true }));
  sprite.scale.set((LABEL_HEIGHT * width) / height, LABEL_HEIGHT, 1);
  sprite.renderOrder = 10;
  return sprite;
}
