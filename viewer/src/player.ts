/**
 * The playback clock shared by the ants on stage: play, pause, single frame steps, speed
 * and loop. Time is in replay seconds; the ants' mixers are sought to it, so scrubbing and
 * stepping land exactly on recorded frames.
 */
export const SPEEDS = [0.25, 0.5, 1, 2, 4] as const;

export class Player {
  time = 0;
  playing = false;
  speed = 1;
  loop = true;
  /** Seconds between recorded frames (the replays' control step). */
  dt = 0.05;
  /** Number of frames of the longest replay on stage. */
  frames = 1;

  get duration(): number {
    return (this.frames - 1) * this.dt;
  }

  get frame(): number {
    return Math.min(this.frames - 1, Math.round(this.time / this.dt));
  }

  reset(frames: number, dt: number): void {
    this.frames = Math.max(1, frames);
    this.dt = dt;
    this.time = 0;
  }

  /** Advances by wall-clock seconds; returns true when the shown time changed. */
  tick(wallSeconds: number): boolean {
    if (!this.playing || this.duration === 0) return false;
    // A hidden tab or a slow frame must not jump far ahead.
    let t = this.time + Math.min(wallSeconds, 0.25) * this.speed;
    if (this.loop) {
      // The last frame is shown for one frame's time too before the replay starts over.
      t %= this.duration + this.dt;
    } else if (t >= this.duration) {
      t = this.duration;
      this.playing = false;
    }
    this.time = t;
    return true;
  }

  seekFrame(f: number): void {
    this.time = Math.min(this.frames - 1, Math.max(0, Math.round(f))) * this.dt;
  }

  step(df: number): void {
    this.playing = false;
    const f = this.frame + df;
    this.seekFrame(this.loop ? ((f % this.frames) + this.frames) % this.frames : f);
  }

  toggle(): void {
    // Pressing play at the end of a non-looping replay starts it over.
    if (!this.playing && this.frame >= this.frames - 1) this.time = 0;
    this.playing = !this.playing;
  }
}
