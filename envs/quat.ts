/**
 * Small quaternion and vector helpers on plain tuples, scalar-last (x, y, z, w) as Rapier
 * stores them. The observation reports quaternions scalar-first (w, x, y, z) as MuJoCo does.
 */

export interface Vec3 { x: number; y: number; z: number }
export interface Quat { x: number; y: number; z: number; w: number }

export const IDENTITY: Quat = Object.freeze({ x: 0, y: 0, z: 0, w: 1 });

export function axisAngle(axis: Vec3, angle: number): Quat {
  const n = Math.hypot(axis.x, axis.y, axis.z);
  const s = Math.sin(angle / 2) / n;
  return { x: axis.x * s, y: axis.y * s, z: axis.z * s, w: Math.cos(angle / 2) };
}

/** a * b (apply b first, then a). */
export function qmul(a: Quat, b: Quat): Quat {
  return {
    w: a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z,
    x: a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
    y: a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
    z: a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w,
  };
}

export function qconj(q: Quat): Quat {
  return { x: -q.x, y: -q.y, z: -q.z, w: q.w };
}

export function qnormalize(q: Quat): Quat {
  const n = Math.hypot(q.x, q.y, q.z, q.w);
  return { x: q.x / n, y: q.y / n, z: q.z / n, w: q.w / n };
}

/** Rotates v by q. */
export function rotate(q: Quat, v: Vec3): Vec3 {
  // t = 2 * cross(q.xyz, v); v' = v + w t + cross(q.xyz, t)
  const tx = 2 * (q.y * v.z - q.z * v.y);
  const ty = 2 * (q.z * v.x - q.x * v.z);
  const tz = 2 * (q.x * v.y - q.y * v.x);
  return {
    x: v.x + q.w * tx + (q.y * tz - q.z * ty),
    y: v.y + q.w * ty + (q.z * tx - q.x * tz),
    z: v.z + q.w * tz + (q.x * ty - q.y * tx),
  };
}

/** Rotates v by the inverse of q. */
export function rotateInv(q: Quat, v: Vec3): Vec3 {
  return rotate(qconj(q), v);
}

export function add(a: Vec3, b: Vec3): Vec3 {
  return { x: a.x + b.x, y: a.y + b.y, z: a.z + b.z };
}

export function scale(a: Vec3, s: number): Vec3 {
  return { x: a.x * s, y: a.y * s, z: a.z * s };
}

export function dot(a: Vec3, b: Vec3): number {
  return a.x * b.x + a.y * b.y + a.z * b.z;
}

export function cross(a: Vec3, b: Vec3): Vec3 {
  return { x: a.y * b.z - a.z * b.y, y: a.z * b.x - a.x * b.z, z: a.x * b.y - a.y * b.x };
}

export function normalize(a: Vec3): Vec3 {
  const n = Math.hypot(a.x, a.y, a.z);
  return { x: a.x / n, y: a.y / n, z: a.z / n };
}

/** The rotation taking unit vector `from` onto unit vector `to`. */
export function fromTo(from: Vec3, to: Vec3): Quat {
  const d = dot(from, to);
  if (d < -0.999999) {
    // Opposite: any perpendicular axis will do.
    const perp = Math.abs(from.x) < 0.9 ? cross(from, { x: 1, y: 0, z: 0 }) : cross(from, { x: 0, y: 1, z: 0 });
    return axisAngle(perp, Math.PI);
  }
  const c = cross(from, to);
  return qnormalize({ x: c.x, y: c.y, z: c.z, w: 1 + d });
}

/**
 * Signed rotation angle of the relative rotation `rel` about the unit `axis` (swing-twist
 * decomposition), wrapped to (-pi, pi].
 */
export function twistAngle(rel: Quat, axis: Vec3): number {
  const p = rel.x * axis.x + rel.y * axis.y + rel.z * axis.z;
  let a = 2 * Math.atan2(p, rel.w);
  if (a > Math.PI) a -= 2 * Math.PI;
  else if (a <= -Math.PI) a += 2 * Math.PI;
  return a;
}
