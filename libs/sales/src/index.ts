export { RepsModule } from './sales.module.js';
export { ExecuteRepCommand } from './execute-rep.command.js';
export { RepCommandsModule } from './rep-commands.module.js';
