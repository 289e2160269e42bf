import {
  AmbientLight,
  Color,
  DirectionalLight,
  Fog,
  GridHelper,
  PerspectiveCamera,
  Scene,
  Timer,
  Vector3,
  WebGLRenderer,
  type Object3D,
} from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';

/** Anything living in the room: updated once a frame, disposed with the room. */
export interface SceneObject {
  readonly object: Object3D;
  /**
   * Called once per frame; must not allocate. `dt` in seconds, `now` in ms since epoch. Returns
   * true when it changed what is drawn (the room then renders this frame).
   */
  update(dt: number, now: number): boolean;
  dispose(): void;
}

export interface RoomOptions {
  /** Multisampling; costly with software WebGL and many objects. Default true. */
  antialias?: boolean;
  /**
   * The slow turn of the structure until the user grabs it. Default true (off when the user prefers reduced motion).
   */
  autoRotate?: boolean;
}

const BACKGROUND = 0x071013;
/** How fast the camera target eases towards the focused node, per second. */
const TARGET_EASE = 4;
/** Below this distance (scene units) the eased camera target counts as arrived. */
const TARGET_EPSILON = 1e-3;

// Scratch values, shared by every room: no allocation in the frame loop.
const scratchDelta = new Vector3();

/**
 * The three.js room: renderer, camera, orbit controls, lights, resize handling and the
 * animation loop. Objects are added with {@link add}; {@link dispose} frees the GPU and stops
 * the loop. Throws when WebGL cannot be initialised (the caller shows the 2D view instead).
 *
 * Renders on demand: a frame is drawn only when the camera moved, the view was resized, or an
 * object reports a change (a pulse, a new focus), so a still room with 5,000 nodes costs nothing.
 */
export class Room {
  readonly renderer: WebGLRenderer;
  readonly scene = new Scene();
  readonly camera = new PerspectiveCamera(45, 1, 0.1, 500);
  readonly controls: OrbitControls;
  private readonly objects: SceneObject[] = [];
  private readonly timer = new Timer();
  private readonly target = new Vector3();
  private readonly resizeObserver: ResizeObserver;
  private readonly grid: GridHelper;
  private disposed = false;
  private needsRender = true;
  /** Frames rendered since the room was made (for tests and diagnostics). */
  frames = 0;

  constructor(
    private readonly container: HTMLElement,
    options: RoomOptions = {},
  ) {
    this.renderer = new WebGLRenderer({ antialias: options.antialias ?? true, powerPreference: 'low-power' });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.renderer.domElement.classList.add('room-canvas');
    this.renderer.domElement.setAttribute('aria-hidden', 'true');
    container.appendChild(this.renderer.domElement);

    this.scene.background = new Color(BACKGROUND);
    this.scene.fog = new Fog(BACKGROUND, 30, 90);
    this.scene.add(new AmbientLight(0xbfd9dd, 0.55));
    const key = new DirectionalLight(0xffffff, 1.6);
    key.position.set(8, 14, 10);
    this.scene.add(key);
    this.grid = new GridHelper(80, 40, 0x1d3a40, 0x11252a);
    this.scene.add(this.grid);

    this.camera.position.set(0, 6, 18);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.enableDamping = true;
    this.controls.dampingFactor = 0.08;
    const reducedMotion = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
    this.controls.autoRotate = (options.autoRotate ?? true) && !reducedMotion;
    this.controls.autoRotateSpeed = 0.35;
    this.controls.minDistance = 3;
    this.controls.maxDistance = 120;
    // A user who grabs the view takes over from the slow rotation.
    this.controls.addEventListener('start', this.stopAutoRotate);
    this.controls.addEventListener('change', this.invalidate);

    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    this.resize();
    this.timer.connect(document);
    this.renderer.setAnimationLoop(this.frame);
  }

  add(obj: SceneObject): void {
    this.objects.push(obj);
    this.scene.add(obj.object);
    this.needsRender = true;
  }

  /** Ask for a frame (something drawn changed outside the objects' update). */
  readonly invalidate = (): void => {
    this.needsRender = true;
  };

  /** Take an object out of the room (the caller disposes it). */
  remove(obj: SceneObject): void {
    const i = this.objects.indexOf(obj);
    if (i >= 0) this.objects.splice(i, 1);
    this.scene.remove(obj.object);
    this.needsRender = true;
  }

  /** Ease the camera's target towards a point (the focused node). */
  lookAt(x: number, y: number, z: number): void {
    this.target.set(x, y, z);
    this.needsRender = true;
  }

  /**
   * Place the camera so that a structure `radius` wide (around the y axis) and `height` tall,
   * hanging down from y = 0, fills the view, seen from a little above; the floor goes under it.
   */
  fitStructure(radius: number, height: number): void {
    // Fit the cone's silhouette (plus room for labels) into the view, then step back by part of
    // its radius: the near side of the lowest ring comes towards the camera.
    const tanHalf = Math.tan((this.camera.fov * Math.PI) / 360);
    const w = Math.max(radius * 2, 4) + 2;
    const h = Math.max(height, 2) + 3;
    const distance = Math.max(h / (2 * tanHalf), w / (2 * tanHalf * this.camera.aspect)) + radius * 0.7;
    const elevation = 0.32; // radians above the horizontal
    this.target.set(0, -height / 2, 0);
    this.controls.target.copy(this.target);
    this.camera.position.set(0, this.target.y + distance * Math.sin(elevation), distance * Math.cos(elevation));
    this.grid.position.y = -height - 2;
    this.controls.update();
    this.needsRender = true;
  }

  private readonly stopAutoRotate = (): void => {
    this.controls.autoRotate = false;
  };

  private resize(): void {
    const w = Math.max(1, this.container.clientWidth);
    const h = Math.max(1, this.container.clientHeight);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.renderer.setSize(w, h);
    this.needsRender = true;
  }

  private readonly frame = (time: number): void => {
    this.timer.update(time);
    const dt = Math.min(this.timer.getDelta(), 0.1);
    const now = Date.now();
    // Ease the orbit target (and the camera with it) towards the focused node.
    scratchDelta.subVectors(this.target, this.controls.target);
    if (scratchDelta.lengthSq() > TARGET_EPSILON * TARGET_EPSILON) {
      scratchDelta.multiplyScalar(Math.min(1, dt * TARGET_EASE));
      this.controls.target.add(scratchDelta);
      this.camera.position.add(scratchDelta);
      this.needsRender = true;
    }
    // Damping and auto-rotation move the camera; OrbitControls then says so through 'change'.
    this.controls.update(dt);
    for (let i = 0; i < this.objects.length; i++)
      if ((this.objects[i] as SceneObject).update(dt, now)) this.needsRender = true;
    if (!this.needsRender) return;
    this.needsRender = false;
    this.frames++;
    this.renderer.render(this.scene, this.camera);
  };

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.renderer.setAnimationLoop(null);
    this.resizeObserver.disconnect();
    this.timer.dispose();
    this.controls.removeEventListener('start', this.stopAutoRotate);
    this.controls.removeEventListener('change', this.invalidate);
    this.controls.dispose();
    for (const obj of this.objects) {
      this.scene.remove(obj.object);
      obj.dispose();
    }
    this.objects.length = 0;
    this.grid.geometry.dispose();
    (Array.isArray(this.grid.material) ? this.grid.material : [this.grid.material]).forEach((m) => m.dispose());
    this.renderer.dispose();
    this.renderer.forceContextLoss();
    this.renderer.domElement.remove();
  }
}
