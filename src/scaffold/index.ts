export { processProjectFiles, SCHEMA_FILE, type ProcessProjectOptions } from './process-project.js';
export { writeConfigRepo } from './write.js';
