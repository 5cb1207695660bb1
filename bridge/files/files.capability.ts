// The file-changing capability: mkdir, rename, delete, text edits and resumable uploads, on the same side
// (SSH session or VPN container) that the read routes in the core use.
import type { BridgeContext, Capability } from '../capability.js';
import { fileChangesRoutes } from './file-changes.routes.js';
import { FileChangesService } from './file-changes.service.js';
import { fileUploadsRoutes } from './file-uploads.routes.js';
import { FileUploadsService } from './file-uploads.service.js';

export function fileChangesCapability(ctx: BridgeContext): Capability {
  return {
    name: 'file-changes',
    routes: [...fileChangesRoutes(new FileChangesService(ctx.files, ctx.config.fsReadMaxBytes)), ...fileUploadsRoutes(new FileUploadsService(ctx.files))],
  };
}
