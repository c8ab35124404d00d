import type AdmZip from 'adm-zip';
import { topLevelDirectories } from './zip/edit-archive';

export interface PluginRepresentation {
  pluginName: string;
  /** The parsed `cumulocity.json` of the plugin's directory, when it has a readable one. */
  pluginPackage?: unknown;
}

const MAX_PACKAGE_SIZE = 1024 * 1024;

/** One entry per top-level directory of the archive, with its `cumulocity.json` when present. */
export function listPlugins(
  archive: AdmZip,
  onUnreadable?: (pluginName: string) => void,
): PluginRepresentation[] {
  return topLevelDirectories(archive.getEntries().map((entry) => ({ name: entry.entryName }))).map(
    (pluginName) => {
      const manifest = archive.getEntry(`${pluginName}/cumulocity.json`);
      if (!manifest || manifest.isDirectory) return { pluginName };
      if (manifest.header.size > MAX_PACKAGE_SIZE) {
        onUnreadable?.(pluginName);
        return { pluginName };
      }
      try {
        return {
          pluginName,
          pluginPackage: JSON.parse(
            manifest
              .getData()
              .toString('utf8')
              .replace(/^\uFEFF/, ''),
          ),
        };
      } catch {
        onUnreadable?.(pluginName);
        return { pluginName };
      }
    },
  );
}
