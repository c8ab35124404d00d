import {
  InvalidArchiveError,
  MANIFEST_FILE,
  topLevelDirectories,
  type ArchiveDirectory,
} from '@depot/archive';

export interface PluginRepresentation {
  pluginName: string;
  /** The parsed `cumulocity.json` of the plugin's directory, when it has a readable one. */
  pluginPackage?: unknown;
}

const MAX_PACKAGE_SIZE = 1024 * 1024;

/**
 * One entry per top-level directory of the archive, with its `cumulocity.json` when present. Reads
 * the central directory and those manifests only, never the rest of the archive.
 */
export async function listPlugins(
  directory: ArchiveDirectory,
  onUnreadable?: (pluginName: string) => void,
): Promise<PluginRepresentation[]> {
  const byName = new Map(directory.entries.map((entry) => [entry.name, entry]));
  const plugins: PluginRepresentation[] = [];
  for (const pluginName of topLevelDirectories(directory.entries)) {
    const manifest = byName.get(`${pluginName}/${MANIFEST_FILE}`);
    if (!manifest || manifest.isDirectory) {
      plugins.push({ pluginName });
      continue;
    }
    if (manifest.size > MAX_PACKAGE_SIZE) {
      onUnreadable?.(pluginName);
      plugins.push({ pluginName });
      continue;
    }
    try {
      const bytes = await directory.readContent(manifest, MAX_PACKAGE_SIZE);
      plugins.push({ pluginName, pluginPackage: JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')) });
    } catch (error) {
      // A storage failure is the request's failure; only a bad manifest is the plugin's.
      if (!(error instanceof InvalidArchiveError || error instanceof SyntaxError)) throw error;
      onUnreadable?.(pluginName);
      plugins.push({ pluginName });
    }
  }
  return plugins;
}
