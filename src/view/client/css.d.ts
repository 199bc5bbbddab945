// Stylesheets are bundled as text (esbuild's text loader, see ../bundle-client.ts).
declare module "*.css" {
  const text: string;
  export default text;
}
