// Picks where a user's file operation runs: the named SSH session, else the user's VPN container (when
// the VPN module supplies one), else the default SSH session.
import { AppError } from '../core/errors.js';
import type { SshSessionService } from '../ssh/ssh-sessions.js';
import { planDownload, type DownloadPlan } from './file-download.js';
import type { DirectoryListing, FileChanges, FileChunk, FileSystemTarget } from './file-types.js';
import { SftpFileChanges } from './sftp-file-changes.js';
import { SftpFiles } from './sftp-files.js';

/** One side's file system: reading it and changing it. */
export interface FilesSide {
  files: FileSystemTarget;
  changes: FileChanges;
}

/** The user's container file system, supplied by the VPN module; null when the user has no container. */
export type ContainerFilesProvider = (userId: string) => Promise<FilesSide | null>;

export interface FilesServiceOptions {
  sessions: SshSessionService;
  readMaxBytes: number;
}

export class FilesService {
  private containerFiles: ContainerFilesProvider | null = null;

  constructor(private readonly options: FilesServiceOptions) {}

  setContainerFiles(provider: ContainerFilesProvider | null): void {
    this.containerFiles = provider;
  }

  /** Where a file operation for this user runs (see the header); changes go to the same side as reads. */
  async side(userId: string, sessionId: string | undefined): Promise<FilesSide> {
    if (sessionId === undefined && this.containerFiles) {
      const container = await this.containerFiles(userId);
      if (container) return container;
    }
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
