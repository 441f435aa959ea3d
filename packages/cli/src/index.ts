/**
 * `@eolgul/cli`: the `eolgul` command. The pipeline it runs is the front door's (`createFaceRecognizer` of `eolgul`).
 * @packageDocumentation
 */
export { runCli, buildProgram, type CliIo, type ExitCode } from './cli-program.js';
export { listImages, identityOf, IMAGE_EXTENSIONS } from './cli-files.js';
