// The file endpoints: list, read, download, text edits, folder changes and tus resumable uploads.
import { defineEndpoint } from './endpoint.js';
import {
  FileStat,
  FsDeleteBody,
  FsDeleted,
  FsMkdirBody,
  FsPathQuery,
  FsRenameBody,
  FsTextBody,
  FsTextResponse,
  FsUploadCreateQuery,
  FsUploadIdParams,
} from './file-changes.js';
import { FsDownloadQuery, FsListQuery, FsListResponse, FsReadQuery, FsReadResponse } from './files.js';

export const filesEndpoints = {
  list: defineEndpoint({ method: 'get', path: '/api/fs/list', query: FsListQuery, response: FsListResponse }),
  read: defineEndpoint({ method: 'get', path: '/api/fs/read', query: FsReadQuery, response: FsReadResponse }),
  download: defineEndpoint({ method: 'get', path: '/api/fs/download', query: FsDownloadQuery, produces: 'application/octet-stream' }),
  stat: defineEndpoint({ method: 'get', path: '/api/fs/stat', query: FsPathQuery, response: FileStat }),
  text: defineEndpoint({ method: 'get', path: '/api/fs/text', query: FsPathQuery, response: FsTextResponse }),
  writeText: defineEndpoint({ method: 'put', path: '/api/fs/text', body: FsTextBody, response: FileStat }),
  mkdir: defineEndpoint({ method: 'post', path: '/api/fs/mkdir', body: FsMkdirBody, response: FileStat }),
  rename: defineEndpoint({ method: 'post', path: '/api/fs/rename', body: FsRenameBody, response: FileStat }),
  remove: defineEndpoint({ method: 'post', path: '/api/fs/delete', body: FsDeleteBody, response: FsDeleted }),
  createUpload: defineEndpoint({ method: 'post', path: '/api/fs/uploads', query: FsUploadCreateQuery }),
  uploadProgress: defineEndpoint({ method: 'head', path: '/api/fs/uploads/:id', params: FsUploadIdParams }),
  appendUpload: defineEndpoint({ method: 'patch', path: '/api/fs/uploads/:id', params: FsUploadIdParams }),
  cancelUpload: defineEndpoint({ method: 'delete', path: '/api/fs/uploads/:id', params: FsUploadIdParams }),
};
