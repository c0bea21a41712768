/**
 * The `/` menu of the reply box (issue 14 item 3): the quick replies matching what follows the
 * slash, each with its text as it will be inserted. The reply box keeps the focus and drives the
 * highlight (aria-activedescendant); a click or tap picks. Mouse-down is cancelled so a tap does
 * not blur the box (and close the phone keyboard) before the pick.
 */
import { useEffect, useRef } from 'react';
import { useT } from '../i18n';
import { hrefFor } from '../router';

export interface MenuItem {
  id: string;
  title: string;
  /** The text with its variables expanded: what the box will hold. */
  preview: string;
  shared: boolean;
}

interface Props {
  /** The listbox's id; the reply box names it in aria-controls. */
  id: string;
  items: MenuItem[];
  active: number;
  loading: boolean;
  failed: boolean;
  onPick: (index: number) => void;
  onHover: (index: number) => void;
}

export const optionId = (menuId: string, index: number) => `${menuId}-option-${index}`;

export function QuickReplyMenu({ id, items, active, loading, failed, onPick, onHover }: Props) {
  const t = useT();
  const list = useRef<HTMLUListElement>(null);

  // Keep the highlighted option in view while arrowing through a long list.
  useEffect(() => {
    const option = list.current?.querySelector<HTMLElement>(`#${CSS.escape(optionId(id, active))}`);
    option?.scrollIntoView({ block: 'nearest' });
  }, [id, active]);

  const empty = !loading && items.length === 0;
  return (
    <div className="qr-menu" data-testid="quick-reply-menu" onMouseDown={(e) => e.preventDefault()}>
      <ul id={id} ref={list} role="listbox" aria-label={t('qr.menu.label')} className="qr-menu__list" hidden={items.length === 0}>
        {items.map((item, index) => (
          <li
            key={item.id}
            id={optionId(id, index)}
            role="option"
            aria-selected={index === active}
            className={`qr-menu__option${index === active ? ' qr-menu__option--active' : ''}`}
            data-testid="quick-reply-option"
            onMouseMove={() => index !== active && onHover(index)}
            onClick={() => onPick(index)}
          >
            <span className="qr-menu__head">
              <span className="qr-menu__title">{item.title}</span>
              <span className={`qr-tag${item.shared ? ' qr-tag--shared' : ''}`}>{t(item.shared ? 'qr.shared' : 'qr.personal')}</span>
            </span>
            <span className="qr-menu__preview">{item.preview}</span>
          </li>
        ))}
      </ul>
      {loading && items.length === 0 ? <p className="qr-menu__note" role="status">{t('qr.menu.loading')}</p> : null}
      {empty ? (
        <p className="qr-menu__note" role="status" data-testid="quick-reply-empty">
          {failed ? t('qr.menu.failed') : t('qr.menu.none')}
          {' · '}
          {t('qr.menu.addBefore')} <a href={hrefFor.quickReplies()}>{t('qr.menu.addLink')}</a> {t('qr.menu.addAfter')}
        </p>
      ) : null}
      {items.length > 0 ? <p className="qr-menu__keys" aria-hidden="true">{t('qr.menu.keys')}</p> : null}
    </div>
  );
}
