/**
 * Bundles the page's script (src/view/client/, with uPlot and jsdiff) into one IIFE with esbuild. The build
 * runs it once (tsup's onSuccess writes dist/view-client.js); running from source (tsx, vitest), `rungs
 * view` runs it itself. esbuild is a development dependency: the package ships the built file instead.
 */
export async function bundleClient(entry: string): Promise<string> {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2020",
    minify: true,
    // Stylesheets (the page's and uPlot's) come in as text; the script puts them in a <style> element.
    loader: { ".css": "text" },
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error(`esbuild wrote nothing for ${entry}`);
  return file.text;
}
