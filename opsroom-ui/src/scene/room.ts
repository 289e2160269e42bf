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
/** How fast the camera eases towards the focused node and its fitted distance, per second. */
const CAMERA_EASE = 4;
/** Below this distance (scene units) the eased camera counts as arrived. */
const CAMERA_EPSILON = 1e-2;

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
  /** Where the camera is flying to (target and position), while {@link flying}. */
  private readonly goalTarget = new Vector3();
  private readonly goalPosition = new Vector3();
  private flying = false;
  /** The slow turn: as the options say, until the user grabs the view (paused while flying). */
  private autoRotate: boolean;
  private readonly renderListeners: Array<() => void> = [];
  private readonly resizeObserver: ResizeObserver;
  private readonly grid: GridHelper;
  private disposed = false;
  private needsRender = true;
  /** Frames rendered since the room was made (for tests and diagnostics). */
  frames = 0;
  /** Size of the view, CSS pixels. */
  width = 1;
  height = 1;

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
    this.autoRotate = (options.autoRotate ?? true) && !reducedMotion;
    this.controls.autoRotate = this.autoRotate;
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

  /** Called after every frame drawn (the camera or the scene changed): overlays follow the view. */
  onRender(listener: () => void): void {
    this.renderListeners.push(listener);
  }

  /**
   * Size the room for a structure hanging `height` units down from y = 0 and reaching `radius`
   * units from its axis: the floor goes under it and spreads beyond it, and the camera may step
   * back far enough to see all of it.
   */
  setExtent(height: number, radius: number): void {
    this.grid.position.y = -height - 2;
    this.grid.scale.setScalar(Math.max(1, (radius + 8) / 40));
    this.controls.maxDistance = Math.max(120, radius * 6);
    this.camera.far = Math.max(500, radius * 10);
    this.camera.updateProjectionMatrix();
    this.needsRender = true;
  }

  /**
   * Move the camera to look at (x, y, z) from `distance` away, from the direction given by
   * `azimuth` (radians around the y axis, 0 along +x) and `elevation` (radians above the
   * horizontal): eased over about a second, or at once when `instant`. Grabbing the view stops it.
   */
  flyTo(x: number, y: number, z: number, distance: number, azimuth: number, elevation: number, instant = false): void {
    const d = Math.min(Math.max(distance, this.controls.minDistance), this.controls.maxDistance);
    this.goalTarget.set(x, y, z);
    this.goalPosition.set(
      x + d * Math.cos(elevation) * Math.cos(azimuth),
      y + d * Math.sin(elevation),
      z + d * Math.cos(elevation) * Math.sin(azimuth),
    );
    // The fog starts behind the middle of what is looked at, so that the far side fades, not the subject.
    const fog = this.scene.fog as Fog;
    fog.near = d;
    fog.far = d * 3 + 20;
    this.flying = true;
    this.controls.autoRotate = false;
    if (instant) {
      this.controls.target.copy(this.goalTarget);
      this.camera.position.copy(this.goalPosition);
      this.land();
      this.controls.update();
    }
    this.needsRender = true;
  }

  /** True while the camera is still flying to where {@link flyTo} sent it. */
  get moving(): boolean {
    return this.flying;
  }

  private readonly stopAutoRotate = (): void => {
    this.autoRotate = false;
    this.land();
  };

  /** The flight is over: the slow turn resumes if still wanted. */
  private land(): void {
    this.flying = false;
    this.controls.autoRotate = this.autoRotate;
  }

  private resize(): void {
    const w = Math.max(1, this.container.clientWidth);
    const h = Math.max(1, this.container.clientHeight);
    this.width = w;
    this.height = h;
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.renderer.setSize(w, h);
    this.needsRender = true;
  }

  private readonly frame = (time: number): void => {
    this.timer.update(time);
    const dt = Math.min(this.timer.getDelta(), 0.1);
    const now = Date.now();
    // Ease the orbit target and the camera towards the focused node and its fitted distance.
    if (this.flying) {
      const k = Math.min(1, dt * CAMERA_EASE);
      scratchDelta.subVectors(this.goalTarget, this.controls.target);
      let far = scratchDelta.lengthSq();
      this.controls.target.addScaledVector(scratchDelta, k);
      scratchDelta.subVectors(this.goalPosition, this.camera.position);
      far = Math.max(far, scratchDelta.lengthSq());
      this.camera.position.addScaledVector(scratchDelta, k);
      if (far < CAMERA_EPSILON * CAMERA_EPSILON) this.land();
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
    for (let i = 0; i < this.renderListeners.length; i++) (this.renderListeners[i] as () => void)();
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
    this.renderListeners.length = 0;
    this.grid.geometry.dispose();
    (Array.isArray(this.grid.material) ? this.grid.material : [this.grid.material]).forEach((m) => m.dispose());
    this.renderer.dispose();
    this.renderer.forceContextLoss();
    this.renderer.domElement.remove();
  }
}
