// Picks where a user's file operation runs: the named SSH session, else the user's VPN container (when
// the VPN module supplies one), else the default SSH session.
import type { ContainerPort, FilesSide } from '../core/container-port.js';
import { AppError } from '../core/errors.js';
import type { SshSessionService } from '../ssh/ssh-sessions.js';
import { planDownload, type DownloadPlan } from './file-download.js';
import type { DirectoryListing, FileChunk, FileSystemTarget } from '../core/file-system.js';
import { SftpFileChanges } from './sftp-file-changes.js';
import { SftpFiles } from './sftp-files.js';

export interface FilesServiceOptions {
  sessions: SshSessionService;
  readMaxBytes: number;
  /** Users' VPN containers, whose file system serves a user when no session is named (null: no containers). */
  containers: ContainerPort | null;
}

export class FilesService {
  constructor(private readonly options: FilesServiceOptions) {}

  /** Where a file operation for this user runs (see the header); changes go to the same side as reads. */
  async side(userId: string, sessionId: string | undefined): Promise<FilesSide> {
    const container = sessionId === undefined ? (this.options.containers?.files(userId) ?? null) : null;
    if (container) return container;
    const session = this.options.sessions.require(userId, sessionId);
    return { files: new SftpFiles(session), changes: new SftpFileChanges(session) };
  }

  private async target(userId: string, sessionId: string | undefined): Promise<FileSystemTarget> {
    return (await this.side(userId, sessionId)).files;
  }

  async list(userId: string, path: string, sessionId?: string): Promise<DirectoryListing> {
    return (await this.target(userId, sessionId)).list(path);
  }

  async read(userId: string, path: string, offset: number, length: number, sessionId?: string): Promise<FileChunk> {
    if (length > this.options.readMaxBytes) {
      throw new AppError('invalid', `length: at most ${this.options.readMaxBytes} bytes per read (FS_READ_MAX_BYTES); use /api/fs/download for whole files`);
    }
    return (await this.target(userId, sessionId)).read(path, offset, length);
  }

  /** A whole file (or one byte range of it), streamed from the same side that list and read use. */
  async download(userId: string, path: string, rangeHeader: string | undefined, sessionId?: string): Promise<DownloadPlan> {
    const source = await (await this.target(userId, sessionId)).openDownload(path);
    return planDownload(source, rangeHeader);
  }
}
