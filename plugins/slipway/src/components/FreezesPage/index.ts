export { FreezesPage, FreezesPageContent } from './FreezesPage';
