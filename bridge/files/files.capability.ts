// The file-changing capability: mkdir, rename, delete, text edits and resumable uploads, on the same side
// (SSH session or VPN container) that the read routes in the core use.
import type { Capability } from '../transport/capability.js';
import { fileChangesRoutes } from './file-changes.routes.js';
import { FileChangesService } from './file-changes.service.js';
import { fileUploadsRoutes } from './file-uploads.routes.js';
import { FileUploadsService } from './file-uploads.service.js';
import type { FilesService } from './files.service.js';

export interface FileChangesCapabilityDeps {
  files: FilesService;
  readMaxBytes: number;
}

export function fileChangesCapability({ files, readMaxBytes }: FileChangesCapabilityDeps): Capability {
  return {
    name: 'file-changes',
    routes: [...fileChangesRoutes(new FileChangesService(files, readMaxBytes)), ...fileUploadsRoutes(new FileUploadsService(files))],
  };
}
