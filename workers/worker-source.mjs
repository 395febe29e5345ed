// Worker entry when the package runs from TypeScript sources (tests, `node --import tsx`):
// worker threads do not inherit the parent's loader hooks, so register tsx here first.
import { register } from 'tsx/esm/api';

register();
const mod = await import('./worker.ts');
export default mod.default;
