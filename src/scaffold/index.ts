export { processProjectFiles, type ProcessProjectOptions } from './process-project.js';
export { writeConfigRepo } from './write.js';
