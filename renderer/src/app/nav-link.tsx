// One entry of the main navigation (sidebar, phone tabs, the phone's More sheet) and the link that shows it.
import { navigate } from './router';
import { Icon, type IconName } from '../ui/icons';

export interface NavItem {
  path: string;
  label: string;
  icon: IconName;
  /** Shown to the owner only (the desktop's overview of every user). */
  ownerOnly?: boolean;
  /** Less used: on phones it sits in the More sheet, not in the crowded tab bar. */
  underMore?: boolean;
}

export function NavLink({ item, current, compact, onNavigate }: { item: NavItem; current: boolean; compact?: boolean; onNavigate?(): void }) {
  return (
    <a
      href={item.path}
      className={`nav-link${current ? ' current' : ''}`}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(item.path);
        onNavigate?.();
      }}
    >
      <Icon name={item.icon} size={compact ? 22 : 20} />
      <span>{item.label}</span>
    </a>
  );
}
