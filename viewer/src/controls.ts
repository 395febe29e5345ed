/**
 * The playback controls in the footer (play/pause, step, speed, loop, timeline), the keys
 * (space, ← and →), and the animation loop that advances the clock and renders only when
 * something moved.
 */
import type { Player } from './player.ts';

const $ = <T extends HTMLElement>(sel: string) => document.querySelector<T>(sel)!;

export class Controls {
  private readonly playIcon = document.querySelector<SVGPathElement>('#play-icon')!;
  private readonly timeline = $<HTMLInputElement>('#timeline');
  private readonly clock = $('#clock');

  constructor(private readonly player: Player) {
    $('#play').addEventListener('click', () => player.toggle());
    $('#step-back').addEventListener('click', () => player.step(-1));
    $('#step-fwd').addEventListener('click', () => player.step(1));
    const speed = $<HTMLSelectElement>('#speed');
    speed.addEventListener('change', () => (player.speed = Number(speed.value)));
    const loop = $<HTMLInputElement>('#loop');
    loop.addEventListener('change', () => (player.loop = loop.checked));
    this.timeline.addEventListener('input', () => player.seekFrame(Number(this.timeline.value)));
    // Clicking a button must not leave focus on it, or the next space bar would press it again.
    for (const b of document.querySelectorAll('#controls button')) b.addEventListener('mousedown', (e) => e.preventDefault());
    window.addEventListener('keydown', (e) => {
      const t = e.target as HTMLElement;
      if (t.tagName === 'SELECT' || (t.tagName === 'INPUT' && (t as HTMLInputElement).type !== 'checkbox')) return;
      // A button reached with Tab keeps its own space/enter behaviour.
      if (t.tagName === 'BUTTON' && (e.key === ' ' || e.key === 'Enter')) return;
      if (e.key === ' ') player.toggle();
      else if (e.key === 'ArrowRight') player.step(1);
      else if (e.key === 'ArrowLeft') player.step(-1);
      else return;
      e.preventDefault();
    });
  }

  /** After the replays on stage changed: the timeline's length. */
  setFrames(frames: number): void {
    this.timeline.max = String(frames - 1);
  }

  showFrame(f: number): void {
    const p = this.player;
    this.timeline.value = String(f);
    this.clock.textContent = `frame ${f} / ${p.frames - 1} · ${(f * p.dt).toFixed(2)} s / ${p.duration.toFixed(2)} s`;
  }

  updatePlayButton(): void {
    const playing = String(this.player.playing);
    if (this.playIcon.dataset.playing === playing) return;
    this.playIcon.dataset.playing = playing;
    this.playIcon.setAttribute('d', this.player.playing ? 'M3 2h4v12H3zM9 2h4v12H9z' : 'M4 2v12l10-6z');
    $('#play').setAttribute('aria-label', this.player.playing ? 'pause' : 'play');
  }
}

/** Calls `frame(seconds since the last call)` on every animation frame. */
export function startLoop(frame: (dt: number) => void): void {
  let last = performance.now();
  const tick = (now: number) => {
    frame((now - last) / 1000);
    last = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
