import polyglotI18nProvider from 'ra-i18n-polyglot';
import englishMessages from 'ra-language-english';
import { setApiLanguage } from '../api';
import { appEn, appId } from './app-messages';
import { raIndonesian } from './ra-id';

const messages = {
  id: { ...englishMessages, ...raIndonesian, ...appId },
  en: { ...englishMessages, ...appEn },
};

/** Bahasa Indonesia by default; English from the menu. The API answers in the same language. */
export const i18nProvider = polyglotI18nProvider(
  (locale) => {
    setApiLanguage(locale);
    return messages[locale as 'id' | 'en'] ?? messages.id;
  },
  'id',
  [
    { locale: 'id', name: 'Bahasa Indonesia' },
    { locale: 'en', name: 'English' },
  ],
  { allowMissing: true },
);
