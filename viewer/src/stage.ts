/**
 * The 3D stage: renderer, a z-up world (x forward, as the replays are recorded), a ground
 * plane with a 1 m grid and a start line at x = 0, a sun that casts shadows around the
 * ants, floating labels, and a camera that follows the ants while orbit controls stay free.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { CSS2DObject, CSS2DRenderer } from 'three/examples/jsm/renderers/CSS2DRenderer.js';

export interface Stage {
  scene: THREE.Scene;
  camera: THREE.PerspectiveCamera;
  renderer: THREE.WebGLRenderer;
  controls: OrbitControls;
  /**
   * Moves the camera and the sun by as much as the followed point moved, and backs the
   * camera off when the ants are `spread` metres apart so that both stay in view.
   */
  follow(target: THREE.Vector3, spread: number): void;
  /** Puts the camera back behind and beside `target`. */
  frame(target: THREE.Vector3, spread: number): void;
  label(text: string, className: string): CSS2DObject;
  /** Asks for a new picture at the next `renderIfNeeded`. */
  invalidate(): void;
  /**
   * Renders only when something moved: software GL (headless browsers, machines without
   * a GPU driver) takes a large share of a second per picture, and a paused replay with a
   * still camera needs none.
   */
  renderIfNeeded(): boolean;
  render(): void;
}

/** Side of the ground plane (m); the grid has 1 m cells. */
const GROUND_SIZE = 300;

function gridTexture(renderer: THREE.WebGLRenderer): THREE.CanvasTexture {
  const n = 256;
  const c = document.createElement('canvas');
  c.width = n;
  c.height = n;
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = '#f3f0e8';
  ctx.fillRect(0, 0, n, n);
  ctx.fillStyle = '#b9c2cc';
  // Half a line on each edge, so neighbouring tiles join into one line per metre.
  const w = 3;
  ctx.fillRect(0, 0, n, w);
  ctx.fillRect(0, n - w, n, w);
  ctx.fillRect(0, 0, w, n);
  ctx.fillRect(n - w, 0, w, n);
  const tex = new THREE.CanvasTexture(c);
  tex.wrapS = THREE.RepeatWrapping;
  tex.wrapT = THREE.RepeatWrapping;
  tex.repeat.set(GROUND_SIZE, GROUND_SIZE);
  tex.anisotropy = renderer.capabilities.getMaxAnisotropy();
  tex.colorSpace = THREE.SRGBColorSpace;
  return tex;
}

export function createStage(container: HTMLElement): Stage {
  // The world is z-up; three.js is y-up by default, so tell every object that looks around.
  THREE.Object3D.DEFAULT_UP.set(0, 0, 1);
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0xdde6ee);
  scene.fog = new THREE.Fog(0xdde6ee, 18, 60);

  const renderer = new THREE.WebGLRenderer({ antialias: true });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
  renderer.shadowMap.enabled = true;
  renderer.shadowMap.type = THREE.PCFShadowMap;
  container.appendChild(renderer.domElement);

  const labels = new CSS2DRenderer();
  labels.domElement.className = 'labels';
  container.appendChild(labels.domElement);

  const camera = new THREE.PerspectiveCamera(45, 1, 0.1, 150);
  camera.up.set(0, 0, 1);
  camera.position.set(-3.2, -3.6, 2.2);
  const controls = new OrbitControls(camera, renderer.domElement);
  controls.target.set(0, 0, 0.4);
  controls.enableDamping = true;
  controls.maxPolarAngle = Math.PI * 0.495;
  controls.update();

  scene.add(new THREE.HemisphereLight(0xffffff, 0x8d8a80, 1.4));
  const sun = new THREE.DirectionalLight(0xffffff, 2.2);
  const sunOffset = new THREE.Vector3(3, -4, 8);
  sun.position.copy(sunOffset);
  sun.castShadow = true;
  sun.shadow.mapSize.set(2048, 2048);
  // A tight shadow box that travels with the ants keeps shadows sharp however far they walk.
  const sc = sun.shadow.camera;
  sc.left = -5;
  sc.right = 5;
  sc.top = 5;
  sc.bottom = -5;
  sc.near = 0.5;
  sc.far = 30;
  sun.shadow.bias = -0.0005;
  scene.add(sun, sun.target);

  // The grid is drawn into the ground's texture rather than as lines on top: software GL
  // (headless browsers, some laptops) has a coarse depth buffer that lets a plane hide
  // lines a few millimetres above it, and mipmaps fade the far grid instead of aliasing it.
  const ground = new THREE.Mesh(
    new THREE.PlaneGeometry(GROUND_SIZE, GROUND_SIZE),
    new THREE.MeshStandardMaterial({
      map: gridTexture(renderer),
      roughness: 0.95,
      // Pushes the ground back in depth so the start line on it always wins.
      polygonOffset: true,
      polygonOffsetFactor: 1,
      polygonOffsetUnits: 4,
    }),
  );
  ground.receiveShadow = true;
  scene.add(ground);
  const startLine = new THREE.Mesh(new THREE.PlaneGeometry(0.05, GROUND_SIZE), new THREE.MeshBasicMaterial({ color: 0x3d7dd8 }));
  startLine.position.z = 0.001;
  scene.add(startLine);

  const resize = () => {
    const w = Math.max(1, container.clientWidth);
    const h = Math.max(1, container.clientHeight);
    renderer.setSize(w, h, false);
    labels.setSize(w, h);
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
  };
  let dirty = true;
  new ResizeObserver(() => {
    resize();
    dirty = true;
  }).observe(container);
  resize();
  const render = () => {
    renderer.render(scene, camera);
    labels.render(scene, camera);
    dirty = false;
  };

  const last = new THREE.Vector3(0, 0, 0.4);
  const delta = new THREE.Vector3();
  const offset = new THREE.Vector3();
  return {
    scene,
    camera,
    renderer,
    controls,
    follow(target, spread) {
      delta.subVectors(target, last);
      offset.subVectors(camera.position, controls.target);
      // Only ever backs off: a user who zoomed out further keeps that view.
      const needed = 3 + spread * 1.1;
      const zoomOut = offset.length() < needed;
      if (delta.lengthSq() === 0 && !zoomOut) return;
      dirty = true;
      last.copy(target);
      controls.target.add(delta);
      if (zoomOut) offset.setLength(needed);
      camera.position.copy(controls.target).add(offset);
      sun.position.copy(target).add(sunOffset);
      sun.target.position.copy(target);
    },
    frame(target, spread) {
      dirty = true;
      last.copy(target);
      controls.target.copy(target);
      const d = 3.2 + spread * 0.9;
      camera.position.set(target.x - d * 0.55, target.y - d * 0.95, target.z + d * 0.5);
      sun.position.copy(target).add(sunOffset);
      sun.target.position.copy(target);
      controls.update();
    },
    label(text, className) {
      const el = document.createElement('div');
      el.className = `label ${className}`;
      el.textContent = text;
      const obj = new CSS2DObject(el);
      scene.add(obj);
      return obj;
    },
    invalidate() {
      dirty = true;
    },
    renderIfNeeded() {
      // update() applies damping and reports whether the camera moved.
      if (controls.update() || dirty) {
        render();
        return true;
      }
      return false;
    },
    render() {
      controls.update();
      render();
    },
  };
}
