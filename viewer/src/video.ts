/**
 * Recording the replay (or the A/B pair) on stage as a WebM video: the stage's WebGL
 * picture is copied, with the ants' labels and the clock written on it, onto a 2D canvas
 * whose captureStream feeds a MediaRecorder, from the first frame to the last at the chosen
 * speed. The copy is made right after each render, while the WebGL buffer is still valid.
 * Recording runs in real time, so a slow machine drops pictures but keeps the timing.
 */
import type { Player } from './player.ts';
import { download, fileSlug } from './plot.ts';

const LABEL_COLORS = ['#2563b8', '#7b3fa0'];
/** Longest side of the video (px): software encoding of a full-size canvas is slow. */
const MAX_SIDE = 1280;

function pickType(): string | null {
  for (const t of ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm']) if (MediaRecorder.isTypeSupported(t)) return t;
  return null;
}

export class VideoRecorder {
  private recorder: MediaRecorder | null = null;
  private canvas: HTMLCanvasElement | null = null;
  private ctx: CanvasRenderingContext2D | null = null;
  private chunks: Blob[] = [];
  private loopBefore = true;
  private name = 'replay';

  constructor(
    private readonly source: HTMLCanvasElement,
    private readonly player: Player,
    /** Renders the stage now (the copy must follow a render in the same task). */
    private readonly render: () => void,
    private readonly labels: () => string[],
    private readonly onDone: (name: string, blob: Blob) => void,
    private readonly onError: (msg: string | null) => void,
    private readonly onState: (recording: boolean) => void,
  ) {}

  get recording(): boolean {
    return this.recorder !== null;
  }

  start(name: string): void {
    if (this.recorder) return;
    if (typeof MediaRecorder === 'undefined' || typeof HTMLCanvasElement.prototype.captureStream !== 'function') {
      this.onError('video export: this browser cannot record a canvas (no MediaRecorder or captureStream)');
      return;
    }
    const type = pickType();
    if (!type) {
      this.onError('video export: this browser cannot encode WebM');
      return;
    }
    this.onError(null);
    const scale = Math.min(1, MAX_SIDE / Math.max(this.source.width, this.source.height));
    const c = document.createElement('canvas');
    // Even sizes: some encoders refuse odd ones.
    c.width = Math.max(2, Math.round((this.source.width * scale) / 2) * 2);
    c.height = Math.max(2, Math.round((this.source.height * scale) / 2) * 2);
    this.canvas = c;
    this.ctx = c.getContext('2d');
    this.name = fileSlug(name);
    this.chunks = [];
    const rec = new MediaRecorder(c.captureStream(30), { mimeType: type, videoBitsPerSecond: 4_000_000 });
    rec.ondataavailable = (e) => {
      if (e.data.size > 0) this.chunks.push(e.data);
    };
    rec.onstop = () => {
      const blob = new Blob(this.chunks, { type: 'video/webm' });
      const file = `${this.name}.webm`;
      download(blob, file);
      this.onDone(file, blob);
    };
    this.recorder = rec;
    this.loopBefore = this.player.loop;
    this.player.loop = false;
    this.player.seekFrame(0);
    this.player.playing = true;
    this.capture(false);
    rec.start(250);
    this.onState(true);
  }

  stop(): void {
    const rec = this.recorder;
    if (!rec) return;
    this.recorder = null;
    this.player.loop = this.loopBefore;
    // The last picture is held a moment so players show it.
    setTimeout(() => rec.stop(), 150);
    this.onState(false);
  }

  /** Called after every animation frame: copies the picture (rendering it first if the frame did not). */
  capture(rendered: boolean): void {
    if (!this.recorder || !this.ctx || !this.canvas) return;
    if (!rendered) this.render();
    const ctx = this.ctx;
    const { width: w, height: h } = this.canvas;
    ctx.drawImage(this.source, 0, 0, w, h);
    const px = Math.max(12, Math.round(h / 40));
    ctx.font = `600 ${px}px system-ui, sans-serif`;
    ctx.textBaseline = 'middle';
    this.labels().forEach((text, i) => {
      const y = px * (1.2 + 1.9 * i);
      const tw = ctx.measureText(text).width;
      ctx.fillStyle = LABEL_COLORS[i] ?? '#1f2933';
      ctx.fillRect(px * 0.6, y - px * 0.8, tw + px, px * 1.6);
      ctx.fillStyle = '#fff';
      ctx.fillText(text, px * 1.1, y);
    });
    const p = this.player;
    const clock = `t = ${(p.frame * p.dt).toFixed(2)} s  ·  ${p.speed}×`;
    ctx.fillStyle = '#1f2933cc';
    ctx.textAlign = 'right';
    ctx.fillText(clock, w - px, h - px);
    ctx.textAlign = 'left';
    if (!p.playing) this.stop();
  }
}
