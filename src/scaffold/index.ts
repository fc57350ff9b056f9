export { writeConfigRepo } from './write.js';
