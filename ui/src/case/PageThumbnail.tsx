import { useEffect, useRef, useState } from "react";

/**
 * A page's thumbnail in the page strip, asked for only once it comes near the strip's visible
 * part: a 150-page document does not ask the desk for 150 pictures at once. (`loading="lazy"`
 * alone does not hold WebKitGTK back inside a scrolled strip.)
 */
export function PageThumbnail({ src, alt }: { src: string; alt: string }) {
  const [near, setNear] = useState(false);
  const image = useRef<HTMLImageElement>(null);
  useEffect(() => {
    const img = image.current;
    if (!img || near) return;
    if (typeof IntersectionObserver === "undefined") {
      setNear(true);
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          setNear(true);
          observer.disconnect();
        }
      },
      { root: img.closest("nav"), rootMargin: "0px 200px" },
    );
    observer.observe(img);
    return () => observer.disconnect();
  }, [near]);
  return <img ref={image} src={near ? src : undefined} alt={alt} data-near={near ? "yes" : "no"} />;
}
