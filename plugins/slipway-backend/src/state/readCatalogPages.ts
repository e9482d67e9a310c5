import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { EntityFilterQuery } from '@backstage/catalog-client';
import { Entity } from '@backstage/catalog-model';
import { ServiceUnavailableError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';

/** Entities asked of the catalog per page: what the fleet holds raw at once. */
export const CATALOG_PAGE_SIZE = 500;

/** What a paginated catalog read returned. */
export interface CatalogPagesRead {
  pages: number;
  entities: number;
}

/**
 * Reads every entity matching `filter` page by page (`queryEntities` with a
 * cursor, only `fields`, no total count) and hands each page to `onPage`
 * before asking for the next, so at most one page of raw entities is held.
 * A page that fails (or a cursor that does not move) fails the whole read
 * with a `ServiceUnavailableError` naming the page: a fleet missing some of
 * its services is never answered as if it were whole.
 */
export async function readCatalogPages(
  catalog: CatalogService,
  request: {
    filter: EntityFilterQuery;
    fields: string[];
    pageSize?: number;
  },
  credentials: BackstageCredentials,
  onPage: (entities: Entity[]) => void,
): Promise<CatalogPagesRead> {
  const limit = request.pageSize ?? CATALOG_PAGE_SIZE;
  const read: CatalogPagesRead = { pages: 0, entities: 0 };
  let cursor: string | undefined;
  do {
    const page = read.pages + 1;
    let response;
    try {
      response = await catalog.queryEntities(
        cursor
          ? { cursor, limit, fields: request.fields }
          : {
              filter: request.filter,
              fields: request.fields,
              limit,
              totalItems: 'exclude',
            },
        { credentials },
      );
    } catch (error) {
      throw new ServiceUnavailableError(
        `The catalog failed on page ${page} of the fleet's entities (${
          read.entities
        } read before it): ${(error as Error)?.message ?? String(error)}`,
        error,
      );
    }
    read.pages = page;
    read.entities += response.items.length;
    onPage(response.items);
    const next = response.pageInfo.nextCursor;
    if (next !== undefined && next === cursor) {
      throw new ServiceUnavailableError(
        `The catalog answered page ${page} of the fleet's entities with the cursor it was asked for`,
      );
    }
    cursor = next;
  } while (cursor);
  return read;
}
