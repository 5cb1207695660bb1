// The dialogs that change files: new folder, rename or move, and delete (a folder with everything in it
// only after saying so). Each calls one route and tells the view to list again.
import type { FileEntry } from '../../../../bridge/contracts/files';
import { endpoints } from '../../../../bridge/contracts/endpoints';
import { useApp } from '../../app/app-context';
import { ConfirmDialog, PromptDialog } from '../../ui/dialog';

export type FileDialogRequest = { kind: 'mkdir' } | { kind: 'rename'; entry: FileEntry } | { kind: 'delete'; entry: FileEntry };

const joinPath = (dir: string, name: string): string => (name.startsWith('/') ? name : dir.endsWith('/') ? dir + name : `${dir}/${name}`);

export function FileDialog({ request, folder, sessionId, onClose, onChanged }: { request: FileDialogRequest; folder: string; sessionId: string; onClose(): void; onChanged(): void }) {
  const { api } = useApp();
  const run = async (call: () => Promise<unknown>): Promise<void> => {
    await call();
    onChanged();
  };
  switch (request.kind) {
    case 'mkdir':
      return (
        <PromptDialog
          title="New folder"
          label="Folder name"
          initial=""
          confirm="Create"
          onClose={onClose}
          onSubmit={(name) => run(() => api.call(endpoints.files.mkdir, { body: { path: joinPath(folder, name), session_id: sessionId } }))}
        />
      );
    case 'rename':
      return (
        <PromptDialog
          title={`Rename ${request.entry.name}`}
          label="New name (or a path to move it to)"
          initial={request.entry.name}
          confirm="Rename"
          onClose={onClose}
          onSubmit={(name) => run(() => api.call(endpoints.files.rename, { body: { from: joinPath(folder, request.entry.name), to: joinPath(folder, name), session_id: sessionId } }))}
        />
      );
    case 'delete': {
      const folderEntry = request.entry.type === 'dir';
      return (
        <ConfirmDialog
          title={`Delete ${request.entry.name}?`}
          confirm={folderEntry ? 'Delete folder and contents' : 'Delete'}
          danger
          onClose={onClose}
          onConfirm={() => run(() => api.call(endpoints.files.remove, { body: { path: joinPath(folder, request.entry.name), recursive: folderEntry, session_id: sessionId } }))}
        >
          {folderEntry ? `${request.entry.name} and everything in it will be deleted from the workstation. This cannot be undone.` : `${request.entry.name} will be deleted from the workstation. This cannot be undone.`}
        </ConfirmDialog>
      );
    }
  }
}
