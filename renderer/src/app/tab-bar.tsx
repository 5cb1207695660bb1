// The phone's bottom tabs: the everyday views as tabs, the less used ones in a More sheet above the bar, so
// eight or nine labels do not crowd a narrow screen. Wide screens hide it and show the sidebar instead.
import { useEffect, useId, useRef, useState } from 'react';
import { NavLink, type NavItem } from './nav-link';
import { useLocation } from './router';
import { Icon } from '../ui/icons';

export function TabBar({ nav, current }: { nav: NavItem[]; current: NavItem | undefined }) {
  const [open, setOpen] = useState(false);
  const sheetId = useId();
  const moreButton = useRef<HTMLButtonElement>(null);
  const { path } = useLocation();
  const tabs = nav.filter((item) => !item.underMore);
  const more = nav.filter((item) => item.underMore);
  const inMore = current !== undefined && more.includes(current);

  // Back/forward or a link elsewhere leaves the sheet behind.
  useEffect(() => setOpen(false), [path]);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      // Focus was maybe on a link of the sheet, which goes away: keep the keyboard where the sheet opened.
      moreButton.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);

  return (
    <nav className="tabbar" aria-label="Main">
      {tabs.map((item) => (
        <NavLink key={item.path} item={item} current={item === current} compact />
      ))}
      <button
        ref={moreButton}
        type="button"
        className={`nav-link more-tab${inMore ? ' current' : ''}`}
        aria-expanded={open}
        aria-controls={sheetId}
        onClick={() => setOpen((o) => !o)}
      >
        <Icon name="more" size={22} />
        <span>More</span>
      </button>
      {open && (
        <>
          <div className="more-backdrop" aria-hidden="true" onClick={() => setOpen(false)} />
          <ul id={sheetId} className="more-sheet">
            {more.map((item) => (
              <li key={item.path}>
                <NavLink item={item} current={item === current} onNavigate={() => setOpen(false)} />
              </li>
            ))}
          </ul>
        </>
      )}
    </nav>
  );
}
