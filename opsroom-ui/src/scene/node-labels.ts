import { CanvasTexture, Group, LinearFilter, SRGBColorSpace, Sprite, SpriteMaterial } from 'three';
import type { SceneObject } from './room.js';

export interface LabelSpec {
  text: string;
  x: number;
  y: number;
  z: number;
  /** Brighter text for the focused node. */
  strong?: boolean;
}

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
      const sprite = makeLabel(label.text, label.strong === true);
      if (!sprite) continue;
      sprite.position.set(label.x, label.y + 0.9, label.z);
      this.sprites.push(sprite);
      this.object.add(sprite);
    }
  }

  update(): void {
    // Sprites face the camera by themselves.
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

function makeLabel(text: string, strong: boolean): Sprite | null {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  const font = `${strong ? 600 : 500} ${FONT_PX}px system-ui, sans-serif`;
  ctx.font = font;
  const pad = 14;
  const width = Math.ceil(ctx.measureText(text).width) + pad * 2;
  const height = FONT_PX + pad;
  canvas.width = width;
  canvas.height = height;
  ctx.font = font; // resizing the canvas resets the context
  ctx.fillStyle = strong ? 'rgba(8, 30, 34, 0.85)' : 'rgba(8, 20, 24, 0.7)';
  ctx.beginPath();
  ctx.roundRect(0, 0, width, height, 10);
  ctx.fill();
  ctx.fillStyle = strong ? '#f0fdfa' : '#a7c4c8';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, pad, height / 2 + 2);
  const texture = new CanvasTexture(canvas);
  texture.colorSpace = SRGBColorSpace;
  texture.minFilter = LinearFilter;
  texture.generateMipmaps = false;
  const sprite = new Sprite(new SpriteMaterial({ map: texture, depthWrite: false, transparent: true }));
  sprite.scale.set((LABEL_HEIGHT * width) / height, LABEL_HEIGHT, 1);
  sprite.renderOrder = 10;
  return sprite;
}
