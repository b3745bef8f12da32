/** Vite's `?worker` imports: a constructor of the bundled worker. */
declare module '*?worker' {
  const WorkerFactory: new () => Worker;
  export default WorkerFactory;
}
declare module '*.css';
