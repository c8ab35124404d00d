/** Numbers of the zip format (APPNOTE.TXT) that more than one part of the library needs. */

export const LOCAL_HEADER_SIGNATURE = 0x04034b50;
export const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
export const DATA_DESCRIPTOR_SIGNATURE = 0x08074b50;
export const END_OF_CENTRAL_DIRECTORY_SIGNATURE = 0x06054b50;
export const ZIP64_END_LOCATOR_SIGNATURE = 0x07064b50;
export const ZIP64_END_SIGNATURE = 0x06064b50;

export const LOCAL_HEADER_SIZE = 30;
export const CENTRAL_HEADER_SIZE = 46;
export const END_OF_CENTRAL_DIRECTORY_SIZE = 22;
export const ZIP64_END_LOCATOR_SIZE = 20;
export const ZIP64_END_SIZE = 56;
/** The end record may be followed by a comment of up to this many bytes. */
export const MAX_COMMENT_SIZE = 0xffff;

export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;

export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_DATA_DESCRIPTOR = 0x0008;
export const FLAG_UTF8_NAMES = 0x0800;

export const ZIP64_EXTRA_ID = 0x0001;
export const MAX_UINT16 = 0xffff;
export const MAX_UINT32 = 0xffffffff;

/** File type bits of the unix mode in the high 16 bits of the external attributes. */
export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;

/** The unix file type of an entry's external attributes (0 when the writer recorded none). */
export function unixFileType(externalAttributes: number): number {
  return (externalAttributes >>> 16) & S_IFMT;
}
