// The app's icon (assets/icons, served by the bridge at /icons/) as the brand mark.

export function BrandMark({ size = 'medium' }: { size?: 'small' | 'medium' | 'large' }) {
  return <img className={`brand-mark ${size}`} src="/icons/icon-192.png" alt="" aria-hidden="true" />;
}
