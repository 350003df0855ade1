//! Russian identifiers: INN, OGRN, OGRNIP, SNILS, KPP.
