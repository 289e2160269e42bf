/**
 * True when this browser can give us a WebGL context (checked on a throw-away canvas, which is
 * released at once). Kept apart from room.ts so that a browser without WebGL never downloads three.js.
 */
export function webglAvailable(): boolean {
  try {
    const canvas = document.createElement('canvas');
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    if (!gl) return false;
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return true;
  } catch {
    return false;
  }
}
