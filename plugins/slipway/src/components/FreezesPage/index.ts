export { FreezesPage, FreezesPageContent } from './FreezesPage';
export { FreezesContent } from './FreezesContent';
