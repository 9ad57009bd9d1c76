// host-map.mjs is a side-effect-only preload; it exports nothing.
export {};
