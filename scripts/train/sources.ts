/** Photos of the photo pack (../shared/data/photos-extra) carry their repository as source, with this prefix. */
export const EXTRA_SOURCE_PREFIX = 'github:'
